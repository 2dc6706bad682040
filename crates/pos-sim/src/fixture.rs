//! The simulator's restaurant: the fixture file format, loading and validation.
//!
//! A fixture describes what an r_keeper installation behind ProCart would hold: the
//! classification (categories), dishes with prices and remains, modifier schemes, combos, order
//! categories with their price lists, tables, currencies (payment types), discounts and markups
//! with their automatic rules. The format is this simulator's own (it is *not* the ProCart wire
//! format); `/getmenu` and the pricing rules are computed from it.
//!
//! Money is written as decimal strings (`"189.90"`) or numbers; both are read through the raw
//! JSON text, never through `f64`. Codes are integers. Every reference between objects is
//! checked at load time, so a bad file fails with a message naming the object instead of
//! producing a half-working menu.
//!
//! ```json
//! {
//!   "restaurant": { "name": "Бургерная «Огонёк»", "source_name": "Киоск" },
//!   "price_type": { "code": 1, "name": "Основной" },
//!   "default_order_category_code": 1,
//!   "default_table_code": 900,
//!   "open_modifier_code": 9000,
//!   "tables": [ { "code": 900, "name": "Киоск" } ],
//!   "currencies": [ { "code": 5, "name": "Банковская карта" } ],
//!   "order_categories": [
//!     { "code": 1, "name": "В зале", "price_list": [] },
//!     { "code": 2, "name": "С собой", "price_list": [ { "code": 1001, "price": "179.90" } ] }
//!   ],
//!   "categories": [ { "code": 10, "name": "Бургеры", "parent_code": null, "sort": 1, "image": "burger" } ],
//!   "dishes": [ { "code": 1001, "name": "Чизбургер", "category_code": 10, "price": "189.90",
//!                 "remains": null, "modifier_scheme_code": 5, "description": "…",
//!                 "portion": { "value": "180", "unit": "г" }, "sort": 1, "tags": ["hit"],
//!                 "image": null } ],
//!   "modifier_schemes": [ { "code": 5, "name": "Бургер", "groups": [
//!       { "code": 51, "name": "Соус", "min": 1, "max": 1, "modifiers": [
//!           { "code": 2001, "name": "Кетчуп", "price": "0", "max_quantity": 1, "remains": null } ] } ] } ],
//!   "combos": [ { "code": 3001, "name": "Комбо", "price": "349.00", "category_code": 40,
//!                 "remains": null, "groups": [ { "code": 31, "name": "Бургер", "min": 1, "max": 1,
//!                 "default_dish_code": 1001, "items": [ { "dish_code": 1001, "price_delta": "0" } ] } ] } ],
//!   "discounts": [ { "code": 7, "name": "Скидка 10% на комбо", "kind": "percent", "value": "10",
//!                    "auto": true, "applies_to": { "combos": true } } ],
//!   "markups": [ { "code": 8, "name": "Упаковка", "kind": "open" } ]
//! }
//! ```
//!
//! * `remains`: `null` = unlimited, `0` = stopped (stays in the menu with `remains: 0`).
//! * `image`: the picture kind drawn for the object (`burger`, `drink`, `fries`, `salad`,
//!   `pizza`, `dessert`, `coffee`, `soup`, `chicken`, `sauce`, `combo`, `roll`); a dish without
//!   one takes its category's.
//! * Discounts and markups: `kind` is `percent` (`value` = percent, applied per line),
//!   `fixed` (`value` = amount, order level) or `open` (a sum discount/markup whose amount the
//!   cart gives). `auto: true` applies the rule by itself whenever its conditions
//!   (`order_category_codes`, `min_total`, `applies_to`) hold; `applies_to` limits a percent
//!   rule to combos, to codes or to categories (absent = every line).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::money::{de_decimal, de_opt_decimal};

/// The demo restaurant shipped with the simulator (`fixtures/demo-menu.json`).
pub const DEMO_MENU_JSON: &str = include_str!("../fixtures/demo-menu.json");

#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error("cannot read menu file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("menu file {path} is not a valid menu fixture: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("menu file {path} is inconsistent: {problem}")]
    Invalid { path: String, problem: String },
    #[error("bad generated menu spec {0:?}: expected generated:<number of dishes>")]
    Generated(String),
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct Restaurant {
    #[serde(default)]
    pub name: String,
    /// Reported by `/ping` as `source_name`.
    #[serde(default)]
    pub source_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PriceType {
    pub code: i64,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Table {
    pub code: i64,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Currency {
    pub code: i64,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PriceEntry {
    pub code: i64,
    #[serde(deserialize_with = "de_decimal")]
    pub price: Decimal,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OrderCategory {
    pub code: i64,
    pub name: String,
    /// Prices that differ from the menu price for this category (dishes, combos, modifiers).
    #[serde(default)]
    pub price_list: Vec<PriceEntry>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Category {
    pub code: i64,
    pub name: String,
    #[serde(default)]
    pub parent_code: Option<i64>,
    #[serde(default)]
    pub sort: i32,
    #[serde(default)]
    pub image: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Portion {
    #[serde(deserialize_with = "de_decimal")]
    pub value: Decimal,
    pub unit: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Dish {
    pub code: i64,
    pub name: String,
    pub category_code: i64,
    #[serde(deserialize_with = "de_decimal")]
    pub price: Decimal,
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub remains: Option<Decimal>,
    #[serde(default)]
    pub modifier_scheme_code: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub portion: Option<Portion>,
    #[serde(default)]
    pub sort: i32,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub image: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ModifierScheme {
    pub code: i64,
    pub name: String,
    pub groups: Vec<ModifierGroup>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ModifierGroup {
    pub code: i64,
    pub name: String,
    #[serde(default)]
    pub min: u32,
    /// `None` = no upper limit.
    #[serde(default)]
    pub max: Option<u32>,
    pub modifiers: Vec<Modifier>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Modifier {
    pub code: i64,
    pub name: String,
    #[serde(default, deserialize_with = "de_decimal")]
    pub price: Decimal,
    #[serde(default = "one")]
    pub max_quantity: u32,
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub remains: Option<Decimal>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Deserialize)]
pub struct Combo {
    pub code: i64,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(deserialize_with = "de_decimal")]
    pub price: Decimal,
    pub category_code: i64,
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub remains: Option<Decimal>,
    #[serde(default)]
    pub sort: i32,
    #[serde(default)]
    pub tags: Vec<String>,
    pub groups: Vec<ComboGroup>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ComboGroup {
    pub code: i64,
    pub name: String,
    #[serde(default = "one")]
    pub min: u32,
    #[serde(default = "one")]
    pub max: u32,
    #[serde(default)]
    pub default_dish_code: Option<i64>,
    pub items: Vec<ComboItem>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ComboItem {
    pub dish_code: i64,
    #[serde(default, deserialize_with = "de_decimal")]
    pub price_delta: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    /// `value` percent of each applicable line.
    Percent,
    /// `value` roubles off (or on) the order.
    Fixed,
    /// A sum discount/markup: the cart says how much.
    Open,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AppliesTo {
    #[serde(default)]
    pub combos: bool,
    #[serde(default)]
    pub codes: Vec<i64>,
    #[serde(default)]
    pub category_codes: Vec<i64>,
}

/// A discount or a markup (§6.8–6.10).
#[derive(Debug, Clone, Deserialize)]
pub struct Adjustment {
    pub code: i64,
    pub name: String,
    pub kind: AdjustmentKind,
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub value: Option<Decimal>,
    /// Applied by the POS itself when the conditions hold; the cart never names it.
    #[serde(default)]
    pub auto: bool,
    #[serde(default)]
    pub applies_to: Option<AppliesTo>,
    /// Only for these order categories (empty = any).
    #[serde(default)]
    pub order_category_codes: Vec<i64>,
    /// Only when the order's sum before adjustments reaches this.
    #[serde(default, deserialize_with = "de_opt_decimal")]
    pub min_total: Option<Decimal>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MenuFixture {
    #[serde(default)]
    pub restaurant: Restaurant,
    #[serde(default)]
    pub price_type: Option<PriceType>,
    /// Used when a cart has no `order_category_code`.
    #[serde(default)]
    pub default_order_category_code: Option<i64>,
    /// ProCart's dedicated table for external orders (§6.1).
    #[serde(default = "default_table")]
    pub default_table_code: i64,
    /// The common modifier that carries dish comments (§6.4); `None` keeps them as `comment` only.
    #[serde(default)]
    pub open_modifier_code: Option<i64>,
    #[serde(default)]
    pub tables: Vec<Table>,
    #[serde(default)]
    pub currencies: Vec<Currency>,
    #[serde(default)]
    pub order_categories: Vec<OrderCategory>,
    pub categories: Vec<Category>,
    pub dishes: Vec<Dish>,
    #[serde(default)]
    pub modifier_schemes: Vec<ModifierScheme>,
    #[serde(default)]
    pub combos: Vec<Combo>,
    #[serde(default)]
    pub discounts: Vec<Adjustment>,
    #[serde(default)]
    pub markups: Vec<Adjustment>,
}

fn default_table() -> i64 {
    900
}

impl MenuFixture {
    /// The demo restaurant. The file is compiled in and covered by tests, so this cannot fail
    /// at run time unless the file in the tree is broken; then it panics with the reason.
    pub fn demo() -> MenuFixture {
        match MenuFixture::from_json("fixtures/demo-menu.json", DEMO_MENU_JSON.as_bytes()) {
            Ok(m) => m,
            Err(e) => panic!("the built-in demo menu is broken: {e}"),
        }
    }

    /// Loads a fixture file, or `generated:N` for a synthetic menu of N dishes.
    pub fn load(spec: &str) -> Result<MenuFixture, FixtureError> {
        if let Some(n) = spec.strip_prefix("generated:") {
            let n: usize = n
                .trim()
                .parse()
                .map_err(|_| FixtureError::Generated(spec.to_string()))?;
            return Ok(crate::generated::generated_menu(n));
        }
        let path = Path::new(spec);
        let bytes = std::fs::read(path).map_err(|source| FixtureError::Read {
            path: spec.to_string(),
            source,
        })?;
        MenuFixture::from_json(spec, &bytes)
    }

    /// Parses and validates fixture JSON; `path` only names the source in errors.
    pub fn from_json(path: &str, bytes: &[u8]) -> Result<MenuFixture, FixtureError> {
        let menu: MenuFixture =
            serde_json::from_slice(bytes).map_err(|source| FixtureError::Parse {
                path: path.to_string(),
                source,
            })?;
        menu.validate().map_err(|problem| FixtureError::Invalid {
            path: path.to_string(),
            problem,
        })?;
        Ok(menu)
    }

    /// Checks every reference and limit; the first problem found is returned.
    pub fn validate(&self) -> Result<(), String> {
        let mut cats = HashSet::new();
        for c in &self.categories {
            if !cats.insert(c.code) {
                return Err(format!("category code {} is used twice", c.code));
            }
        }
        for c in &self.categories {
            if let Some(p) = c.parent_code {
                if !cats.contains(&p) {
                    return Err(format!("category {} has unknown parent_code {p}", c.code));
                }
            }
        }
        let mut schemes = HashSet::new();
        let mut modifier_codes = HashSet::new();
        for s in &self.modifier_schemes {
            if !schemes.insert(s.code) {
                return Err(format!("modifier scheme code {} is used twice", s.code));
            }
            for g in &s.groups {
                if let Some(max) = g.max {
                    if g.min > max {
                        return Err(format!(
                            "modifier group {} in scheme {}: min {} > max {max}",
                            g.code, s.code, g.min
                        ));
                    }
                }
                for m in &g.modifiers {
                    if m.price.is_sign_negative() {
                        return Err(format!("modifier {} has a negative price", m.code));
                    }
                    // The same modifier may appear in several schemes, but then it must be the
                    // same object; we only require the code to be consistent in name.
                    modifier_codes.insert(m.code);
                }
            }
        }
        let mut sellable: HashMap<i64, &str> = HashMap::new();
        for d in &self.dishes {
            if sellable.insert(d.code, "dish").is_some() {
                return Err(format!("dish code {} is used twice", d.code));
            }
            if !cats.contains(&d.category_code) {
                return Err(format!(
                    "dish {} ({}) has unknown category_code {}",
                    d.code, d.name, d.category_code
                ));
            }
            if d.price.is_sign_negative() {
                return Err(format!("dish {} ({}) has a negative price", d.code, d.name));
            }
            if let Some(s) = d.modifier_scheme_code {
                if !schemes.contains(&s) {
                    return Err(format!(
                        "dish {} ({}) has unknown modifier_scheme_code {s}",
                        d.code, d.name
                    ));
                }
            }
            for t in &d.tags {
                if !["new", "spicy", "vegetarian", "hit"].contains(&t.as_str()) {
                    return Err(format!(
                        "dish {} has unknown tag {t:?} (new, spicy, vegetarian, hit)",
                        d.code
                    ));
                }
            }
        }
        for c in &self.combos {
            if sellable.insert(c.code, "combo").is_some() {
                return Err(format!(
                    "combo code {} is already used by a dish or a combo",
                    c.code
                ));
            }
            if !cats.contains(&c.category_code) {
                return Err(format!(
                    "combo {} has unknown category_code {}",
                    c.code, c.category_code
                ));
            }
            if c.groups.is_empty() {
                return Err(format!("combo {} has no groups", c.code));
            }
            for g in &c.groups {
                if g.min > g.max {
                    return Err(format!(
                        "combo {} group {}: min {} > max {}",
                        c.code, g.code, g.min, g.max
                    ));
                }
                for i in &g.items {
                    if !self.dishes.iter().any(|d| d.code == i.dish_code) {
                        return Err(format!(
                            "combo {} group {} offers unknown dish {}",
                            c.code, g.code, i.dish_code
                        ));
                    }
                }
                if let Some(def) = g.default_dish_code {
                    if !g.items.iter().any(|i| i.dish_code == def) {
                        return Err(format!(
                            "combo {} group {}: default_dish_code {def} is not one of its items",
                            c.code, g.code
                        ));
                    }
                }
            }
        }
        let mut ocs = HashSet::new();
        for oc in &self.order_categories {
            if !ocs.insert(oc.code) {
                return Err(format!("order category code {} is used twice", oc.code));
            }
            for p in &oc.price_list {
                if !sellable.contains_key(&p.code) && !modifier_codes.contains(&p.code) {
                    return Err(format!(
                        "order category {} prices unknown code {}",
                        oc.code, p.code
                    ));
                }
            }
        }
        if let Some(def) = self.default_order_category_code {
            if !ocs.contains(&def) {
                return Err(format!("default_order_category_code {def} is not defined"));
            }
        }
        for (what, list) in [("discount", &self.discounts), ("markup", &self.markups)] {
            let mut seen = HashSet::new();
            for a in list {
                if !seen.insert(a.code) {
                    return Err(format!("{what} code {} is used twice", a.code));
                }
                if a.kind != AdjustmentKind::Open && a.value.is_none() {
                    return Err(format!("{what} {} needs a value", a.code));
                }
                if a.kind == AdjustmentKind::Open && a.auto {
                    return Err(format!(
                        "{what} {} is open (amount from the cart) and cannot be automatic",
                        a.code
                    ));
                }
            }
        }
        Ok(())
    }

    /// The picture kind of a category, dish or combo code, for the image generator.
    pub fn image_kind(&self, category_code: i64, own: Option<&str>) -> String {
        if let Some(k) = own {
            return k.to_string();
        }
        self.categories
            .iter()
            .find(|c| c.code == category_code)
            .and_then(|c| c.image.clone())
            .unwrap_or_else(|| "burger".to_string())
    }
}
