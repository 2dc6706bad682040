//! The simulated restaurant's getTT document: the demo restaurant (built in [`super::demo`]),
//! the vendor's seed, a generated menu, or a file.
//!
//! The menu is kept as the JSON getTT returns (`data` + `menu`), not as typed structs: the
//! simulator must be able to serve every quirk a real Jupiter produces (cycles, dangling links,
//! numbers as strings, missing keys), and a typed model would normalise them away. A small
//! index of sellable products (layout products and modifier items, by uid) is rebuilt after
//! every change; it is what `add_new_order` prices lines with.
//!
//! Image links in the document are paths on the simulator (`/images/roll/7.jpg`); getTT turns
//! them into absolute URLs using the request's `Host`, so the links work whatever address the
//! simulator listens on. The image route asks [`MenuDoc::picture_subject`] which product links
//! a path, so the picture shows that product.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::images::Subject;

/// The seed's example menu (vendor page S1), made valid JSON. It has every graph quirk of
/// reference §5.2.7 and no pictures.
pub const SEED_MENU: &str = include_str!("../../fixtures/jupiter-menu.json");

/// Picture kinds the image route draws (the ProCart simulator's painter).
pub const IMAGE_KINDS: [&str; 12] = [
    "roll", "combo", "drink", "dessert", "soup", "salad", "pizza", "sauce", "coffee", "chicken",
    "fries", "burger",
];

#[derive(Debug, thiserror::Error)]
pub enum MenuError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the menu is not usable: {0}")]
    Invalid(String),
}

/// A getTT document: `data` (the restaurant) and `menu` (settingsDate, layouts, payment types,
/// modifier groups), plus what Jupiter knows and getTT does not show.
#[derive(Debug, Clone, PartialEq)]
pub struct MenuDoc {
    pub data: Value,
    pub menu: Value,
    /// Products taken off the layouts because they are sold out. JPOS has no stop-list
    /// (reference §5.2.8): staff remove the button in Jupiter, so getTT leaves these out, but
    /// they stay in Jupiter's goods and an order naming one is still priced.
    pub sold_out: BTreeSet<String>,
}

/// The two lists of getTT that hold product buttons.
const BUTTON_LISTS: [&str; 2] = ["menuSections", "modifiersSections"];

impl MenuDoc {
    pub fn seed() -> MenuDoc {
        MenuDoc::from_json(SEED_MENU).expect("the seed fixture is valid")
    }

    /// Accepts a whole getTT answer (`{"status","data","menu"}`), `{"data","menu"}`, or the
    /// bare `menu` object. Next to `menu`, a `sold_out` array of product uids (the simulator's
    /// own key, as `GET /_sim/menu` shows it) is read too.
    pub fn from_json(text: &str) -> Result<MenuDoc, MenuError> {
        let v: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| MenuError::Invalid(e.to_string()))?;
        MenuDoc::from_value(v)
    }

    pub fn from_value(v: Value) -> Result<MenuDoc, MenuError> {
        let Value::Object(mut o) = v else {
            return Err(MenuError::Invalid("expected a JSON object".into()));
        };
        let (data, menu, sold_out) = match o.remove("menu") {
            Some(menu) => (
                o.remove("data").unwrap_or_else(|| json!({})),
                menu,
                o.remove("sold_out"),
            ),
            None if o.contains_key("menuSections") => (json!({}), Value::Object(o), None),
            None => {
                return Err(MenuError::Invalid(
                    "no \"menu\" and no \"menuSections\"".into(),
                ))
            }
        };
        if !menu.is_object() {
            return Err(MenuError::Invalid("\"menu\" is not an object".into()));
        }
        let sold_out = match sold_out {
            None | Some(Value::Null) => BTreeSet::new(),
            Some(v) => serde_json::from_value(v).map_err(|e| {
                MenuError::Invalid(format!("\"sold_out\" is not a list of uids: {e}"))
            })?,
        };
        Ok(MenuDoc {
            data,
            menu,
            sold_out,
        })
    }

    pub fn load(path: &Path) -> Result<MenuDoc, MenuError> {
        let text = std::fs::read_to_string(path).map_err(|source| MenuError::Read {
            path: path.display().to_string(),
            source,
        })?;
        MenuDoc::from_json(&text)
    }

    pub fn settings_date(&self) -> String {
        self.menu
            .get("settingsDate")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    pub fn set_settings_date(&mut self, date: &str) {
        if let Some(m) = self.menu.as_object_mut() {
            m.insert("settingsDate".into(), Value::String(date.to_string()));
        }
    }

    /// Every button of the layouts and the modifier groups, in document order.
    fn buttons(&self) -> impl Iterator<Item = &Value> {
        BUTTON_LISTS
            .iter()
            .filter_map(|key| self.menu.get(*key).and_then(Value::as_array))
            .flatten()
            .filter_map(|s| s.get("buttons").and_then(Value::as_array))
            .flatten()
    }

    /// Sets the price of every button of product `uid`; false if there is none.
    pub fn set_price(&mut self, uid: &str, price: Decimal) -> bool {
        let number = price_value(price);
        let mut found = false;
        for_each_button(&mut self.menu, |b| {
            if b.get("uid").and_then(Value::as_str) == Some(uid) {
                if let Some(o) = b.get_mut("options").and_then(Value::as_object_mut) {
                    o.insert("price".into(), number.clone());
                    found = true;
                }
            }
        });
        found
    }

    /// Takes product `uid` off the layouts (or puts it back); false if there is no such product.
    pub fn set_sold_out(&mut self, uid: &str, sold_out: bool) -> bool {
        if !self.index().contains_key(uid) {
            return false;
        }
        if sold_out {
            self.sold_out.insert(uid.to_string());
        } else {
            self.sold_out.remove(uid);
        }
        true
    }

    /// Sellable products by uid (the first button wins), for pricing orders. Sold-out products
    /// are in it: they are off the layouts, not out of Jupiter.
    pub fn index(&self) -> HashMap<String, Product> {
        let mut out = HashMap::new();
        for b in self.buttons() {
            let Some(o) = b.get("options").filter(|o| o.is_object()) else {
                continue;
            };
            let Some(uid) = b.get("uid").and_then(text) else {
                continue;
            };
            let Some(price) = o.get("price").and_then(decimal) else {
                continue;
            };
            out.entry(uid).or_insert_with(|| Product {
                name: b.get("name").and_then(text).unwrap_or_default(),
                price,
            });
        }
        out
    }

    /// getTT's `menu`: sold-out products left out, image paths made absolute against `base`
    /// (`http://host:port`) unless `keep_relative`.
    pub fn rendered_menu(&self, base: &str, keep_relative: bool) -> Value {
        let mut menu = self.menu.clone();
        if !self.sold_out.is_empty() {
            for key in BUTTON_LISTS {
                let Some(sections) = menu.get_mut(key).and_then(Value::as_array_mut) else {
                    continue;
                };
                for buttons in sections
                    .iter_mut()
                    .filter_map(|s| s.get_mut("buttons").and_then(Value::as_array_mut))
                {
                    // Only product buttons: a link's uid is a layout's, never a product's.
                    buttons.retain(|b| {
                        b.get("options").is_none()
                            || !b
                                .get("uid")
                                .and_then(Value::as_str)
                                .is_some_and(|u| self.sold_out.contains(u))
                    });
                }
            }
        }
        if keep_relative {
            return menu;
        }
        for_each_button(&mut menu, |b| {
            if let Some(img) = b.pointer_mut("/options/image") {
                if let Some(path) = img
                    .as_str()
                    .filter(|p| p.starts_with('/') && !p.starts_with("//"))
                {
                    *img = Value::String(format!("{base}{path}"));
                }
            }
        });
        menu
    }

    /// What the picture at `path` (`/images/{kind}/{n}.jpg`) shows: the product whose button
    /// links it, by kind and name. A combo shows the first choice of each of its choice groups
    /// (by their own pictures' kinds), as ProCart's combo pictures do. `None` when no product
    /// links the path.
    pub fn picture_subject(&self, path: &str) -> Option<Subject> {
        let links = |b: &&Value| {
            b.pointer("/options/image")
                .and_then(Value::as_str)
                .is_some_and(|i| i == path || i.ends_with(path) && i.contains("://"))
        };
        let button = self.buttons().find(links)?;
        let kind = image_kind(path)?.to_string();
        let name = button
            .get("name")
            .and_then(text)
            .unwrap_or_default()
            .to_lowercase();
        if kind != "combo" {
            return Some(Subject::Single { kind, name });
        }
        let groups = self
            .menu
            .get("modifiersSections")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let items: Vec<(String, String)> = button
            .pointer("/options/modifiers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|uid| groups.iter().find(|g| g.get("uid") == Some(uid)))
            .filter(|g| !g.get("is_auto_modifier").is_some_and(flag))
            .filter_map(|g| {
                let first = g.get("buttons")?.as_array()?.first()?;
                let kind = first
                    .pointer("/options/image")
                    .and_then(Value::as_str)
                    .and_then(image_kind)?;
                let name = first.get("name").and_then(text).unwrap_or_default();
                Some((kind.to_string(), name.to_lowercase()))
            })
            .filter(|(k, _)| k != "combo" && k != "sauce")
            .take(3)
            .collect();
        Some(if items.is_empty() {
            Subject::Single { kind, name }
        } else {
            Subject::Combo(items)
        })
    }

    /// A deterministic menu of `products` products with everything a kiosk must handle:
    /// pictures served by the simulator, fractional prices, VAT 10/20/none as numbers and
    /// strings, an automatic group with quantity "2", a mandatory weighted group, a
    /// `max_weight_summ`, a missing and an empty description, a card payment type with an
    /// A:B:C:D uid next to `paymentBonus`, and the graph quirks (a cycle, a dangling link, an
    /// unreachable layout, a dangling and an unused modifier group).
    pub fn generated(products: usize) -> MenuDoc {
        const CATEGORIES: [(&str, &str); 8] = [
            ("РОЛЛЫ", "roll"),
            ("СЕТЫ", "combo"),
            ("НАПИТКИ", "drink"),
            ("ДЕСЕРТЫ", "dessert"),
            ("СУПЫ", "soup"),
            ("САЛАТЫ", "salad"),
            ("ПИЦЦА", "pizza"),
            ("СОУСЫ", "sauce"),
        ];
        const ADJ: [&str; 6] = [
            "ФИЛАДЕЛЬФИЯ",
            "КАЛИФОРНИЯ",
            "ДРАКОН",
            "ЛЕТНИЙ",
            "ФИРМЕННЫЙ",
            "ОСТРЫЙ",
        ];
        let products = products.max(1);
        let mut main_buttons = Vec::new();
        let mut sections = Vec::new();
        let mut category_buttons: Vec<Vec<Value>> = vec![Vec::new(); CATEGORIES.len()];
        for i in 0..products {
            let c = i % CATEGORIES.len();
            let (cat, kind) = CATEGORIES[c];
            let n = i + 1;
            // Prices from 49.00 to about 1500, every third one with kopecks (89.90, 149.50).
            let kop: i64 = match i % 3 {
                0 => 4900 + (i as i64 * 3700) % 145_000 / 100 * 100,
                1 => 8990 + (i as i64 * 1300) % 60_000 / 10 * 10,
                _ => 14950 + (i as i64 * 2100) % 90_000 / 100 * 100,
            };
            let tax = match i % 4 {
                0 => json!("no_tax"),
                1 => json!("20"),
                2 => json!(10),
                _ => json!(20),
            };
            let modifiers = match kind {
                "roll" if i == 0 => json!(["5:98:0:80001", "5:98:0:80002", "5:99:0:80404"]),
                "roll" => json!(["5:98:0:80001", "5:98:0:80002"]),
                "drink" => json!(["5:98:0:80003"]),
                _ => json!([]),
            };
            let mut options = json!({
                "code": format!("{:06X}", 0xA1B000 + i),
                "price": price_value(Decimal::new(kop, 2)),
                "tax": tax,
                "modifiers": modifiers,
                "show_modifiers_always": if kind == "roll" { 1 } else { 0 },
                "max_weight_summ": if kind == "roll" { json!(3) } else { Value::Null },
                "action": "",
                "group_name": format!("{:02}.{cat}", c + 1),
                "subgroup_name": cat,
                "image": if n % 7 == 0 { String::new() } else { format!("/images/{kind}/{n}.jpg") },
                "description": format!("{} {}: описание блюда", ADJ[i % ADJ.len()], cat.to_lowercase()),
            });
            if n % 5 == 0 {
                options.as_object_mut().map(|o| o.remove("description"));
            } else if n % 6 == 0 {
                options["description"] = json!("");
            }
            let button = json!({
                "name": format!("{} {}", ADJ[i % ADJ.len()], n),
                "uid": format!("3:1:0:{}", 1000 + n),
                "type": "product",
                "is_button": 1,
                "is_main": 0,
                "options": options,
            });
            if i == 0 {
                // A product right on the main layout, as in the seed.
                main_buttons.push(button.clone());
            }
            category_buttons[c].push(button);
        }
        for (c, (cat, _)) in CATEGORIES.iter().enumerate() {
            main_buttons.push(link(cat, &format!("5:1:0:{}", 301 + c)));
        }
        // A link to a layout that does not exist.
        main_buttons.push(link("АКЦИИ", "5:98:0:999999"));
        for (c, (cat, _)) in CATEGORIES.iter().enumerate() {
            let uid = format!("5:1:0:{}", 301 + c);
            let mut buttons = std::mem::take(&mut category_buttons[c]);
            if c == 0 {
                // РОЛЛЫ → ЕЩЁ РОЛЛЫ → РОЛЛЫ: a cycle.
                buttons.push(link("ЕЩЁ РОЛЛЫ", "5:98:0:302"));
            }
            sections.push(section(cat, &uid, false, buttons));
        }
        sections.insert(0, section("ГЛАВНОЕ", "5:99:0:70001", true, main_buttons));
        sections.push(section(
            "ЕЩЁ РОЛЛЫ",
            "5:98:0:302",
            false,
            vec![link("РОЛЛЫ", "5:1:0:301")],
        ));
        sections.push(section("АРХИВ", "5:1:0:399", false, vec![]));

        let item = |name: &str,
                    uid: &str,
                    code: &str,
                    price: Decimal,
                    qty: &str,
                    weight: i64,
                    sub: &str| {
            json!({
                "name": name, "uid": uid, "type": "product", "is_button": 1, "is_main": 0,
                "options": {
                    "code": code, "price": price_value(price), "tax": "no_tax", "modifiers": [],
                    "action": "", "group_name": "07.ДОП", "subgroup_name": sub,
                    "quantity": qty, "weight": weight, "image": "", "description": ""
                }
            })
        };
        let group = |name: &str,
                     uid: &str,
                     auto: bool,
                     min: Value,
                     max: Value,
                     buttons: Vec<Value>| {
            json!({
                "name": name, "uid": uid, "type": "", "is_button": 0, "is_main": 0, "is_modifier": 1,
                "is_auto_modifier": if auto { 1 } else { 0 },
                "weight_min": min, "weight_max": max, "buttons": buttons
            })
        };
        let modifiers = vec![
            group(
                "К РОЛЛАМ",
                "5:98:0:80001",
                true,
                Value::Null,
                Value::Null,
                vec![
                    item(
                        "Соус соевый порц.",
                        "3:99:0:60001",
                        "658",
                        Decimal::ZERO,
                        "2",
                        1,
                        "СОУСЫ",
                    ),
                    item(
                        "Имбирь порц.",
                        "3:99:0:60003",
                        "657",
                        Decimal::ZERO,
                        "1",
                        0,
                        "СОУСЫ",
                    ),
                ],
            ),
            group(
                "ДОБАВКИ",
                "5:98:0:80002",
                false,
                json!(1),
                json!(2),
                vec![
                    item(
                        "СЫР СЛИВОЧНЫЙ 20г",
                        "3:99:0:60002",
                        "702",
                        Decimal::new(5900, 2),
                        "1",
                        1,
                        "ДОБАВКИ",
                    ),
                    item(
                        "ЛОСОСЬ 25г",
                        "3:99:0:60004",
                        "667",
                        Decimal::new(8990, 2),
                        "1",
                        2,
                        "ДОБАВКИ",
                    ),
                    item(
                        "БЕЗ ДОБАВОК",
                        "3:99:0:60005",
                        "700",
                        Decimal::ZERO,
                        "1",
                        1,
                        "ДОБАВКИ",
                    ),
                ],
            ),
            group(
                "СИРОПЫ",
                "5:98:0:80003",
                false,
                Value::Null,
                json!(3),
                vec![
                    item(
                        "Сироп ваниль",
                        "3:99:0:60006",
                        "801",
                        Decimal::new(3000, 2),
                        "1",
                        1,
                        "СИРОПЫ",
                    ),
                    item(
                        "Сироп карамель",
                        "3:99:0:60007",
                        "802",
                        Decimal::new(3500, 2),
                        "1",
                        1,
                        "СИРОПЫ",
                    ),
                ],
            ),
            group(
                "Для Лапши допы",
                "5:98:0:80009",
                false,
                json!(0),
                json!(10),
                vec![item(
                    "АВОКАДО 10г",
                    "3:99:0:60008",
                    "FCB50AD3F",
                    Decimal::new(4900, 2),
                    "1",
                    1,
                    "ЛИШНЕЕ",
                )],
            ),
        ];
        MenuDoc {
            data: json!({"id": "7", "name": "Суши-бар (симулятор)", "print_header": "ООО Симулятор"}),
            menu: json!({
                "settingsDate": "2024-03-01 10:15:00",
                "menuSections": sections,
                "payment": [
                    {"cash": "no", "fiscal_num": 0, "type": "paymentBonus", "name": "Баллы", "uid": "paymentBonus"},
                    {"cash": "no", "fiscal_num": 1, "type": "card", "name": "Банковская карта", "uid": "2:1:0:31"},
                    {"cash": "yes", "fiscal_num": 1, "type": "cash", "name": "РУБЛИ ЗАЛ", "uid": "2:1:0:24"}
                ],
                "modifiersSections": modifiers,
            }),
            sold_out: BTreeSet::new(),
        }
    }
}

/// A button that opens layout `uid`.
pub(super) fn link(name: &str, uid: &str) -> Value {
    json!({"is_button": 0, "is_main": 0, "is_modifier": 0, "name": name, "type": "", "uid": uid})
}

/// A layout of `menuSections`.
pub(super) fn section(name: &str, uid: &str, main: bool, buttons: Vec<Value>) -> Value {
    json!({
        "name": name, "uid": uid, "type": "", "is_button": 0,
        "is_main": if main { 1 } else { 0 }, "is_modifier": 0, "buttons": buttons
    })
}

/// Runs `f` on every button of the layouts and the modifier groups of a getTT `menu`.
fn for_each_button(menu: &mut Value, mut f: impl FnMut(&mut Value)) {
    for key in BUTTON_LISTS {
        let Some(sections) = menu.get_mut(key).and_then(Value::as_array_mut) else {
            continue;
        };
        sections
            .iter_mut()
            .filter_map(|s| s.get_mut("buttons").and_then(Value::as_array_mut))
            .flatten()
            .for_each(&mut f);
    }
}

/// The picture kind of a link to the simulator's pictures (`…/images/{kind}/{n}.jpg`).
fn image_kind(link: &str) -> Option<&str> {
    let (_, rest) = link.rsplit_once("/images/")?;
    let (kind, _) = rest.split_once('/')?;
    IMAGE_KINDS.contains(&kind).then_some(kind)
}

/// getTT's 0/1 flags, also as strings or booleans.
fn flag(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::String(s) => !matches!(s.trim(), "" | "0" | "no" | "false"),
        _ => false,
    }
}

/// A getTT price: a JSON number, written from the decimal's text (89.9, 549).
pub fn price_value(d: Decimal) -> Value {
    serde_json::Number::from_str(&d.normalize().to_string())
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub name: String,
    pub price: Decimal,
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A number or a numeric string, as an exact decimal.
pub fn decimal(v: &Value) -> Option<Decimal> {
    let t = match v {
        Value::String(s) => s.trim().replace(',', "."),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    if t.is_empty() {
        return None;
    }
    Decimal::from_str(&t)
        .or_else(|_| Decimal::from_scientific(&t))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_and_generated_menus_index_their_products() {
        let seed = MenuDoc::seed();
        assert_eq!(seed.settings_date(), "2020-10-09 15:37:59");
        let ix = seed.index();
        assert_eq!(ix["3:1:0:79"].price, Decimal::from(499));
        assert!(
            ix.contains_key("3:99:0:34145"),
            "modifier items are sellable"
        );
        let g = MenuDoc::generated(40);
        assert!(g.index().len() > 40);
    }

    #[test]
    fn prices_can_be_edited_and_images_made_absolute() {
        let mut g = MenuDoc::generated(10);
        assert!(g.set_price("3:1:0:1001", Decimal::new(12345, 2)));
        assert_eq!(g.index()["3:1:0:1001"].price, Decimal::new(12345, 2));
        assert!(!g.set_price("nope", Decimal::ONE));
        let m = g.rendered_menu("http://127.0.0.1:9", false);
        let img = m
            .pointer("/menuSections/0/buttons/0/options/image")
            .unwrap();
        assert_eq!(img, "http://127.0.0.1:9/images/roll/1.jpg");
    }

    #[test]
    fn fixture_files_load_in_every_accepted_shape() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/jupiter-menu.json");
        assert_eq!(MenuDoc::load(&path).unwrap(), MenuDoc::seed());
        let bare = MenuDoc::from_json(&MenuDoc::seed().menu.to_string()).unwrap();
        assert_eq!(bare.menu, MenuDoc::seed().menu);
        assert!(MenuDoc::from_json("[]").is_err());
        assert!(MenuDoc::from_json("{\"x\":1}").is_err());
        assert!(MenuDoc::load(std::path::Path::new("/nonexistent.json")).is_err());
    }
}
