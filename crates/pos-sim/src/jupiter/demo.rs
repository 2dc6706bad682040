//! The Jupiter demo restaurant: the ProCart demo fixture as a Jupiter installation would hold it.
//!
//! The kiosk's demo must look the same whichever POS it talks to, so the burger café of
//! `fixtures/demo-menu.json` ([`MenuFixture::demo`]) is translated into a getTT document rather
//! than written a second time. The translation does what a Jupiter operator would configure:
//!
//! * a main layout that links one layout per top-level category, in the fixture's order; a
//!   category layout holds its dishes and combos and links its sub-categories;
//! * a dish is a product button: `code` = its r_keeper code, the price a number with kopecks,
//!   VAT 20 % (catering), and the portion at the end of the description ("… · 180 г"), because
//!   getTT has no portion field;
//! * each modifier group of a scheme is a `modifiersSections` group whose items weigh 1, so
//!   `weight_min`/`weight_max` are the fixture's minimum and maximum choices (a minimum of 0 is
//!   `null`: an optional group);
//! * a combo is a product whose choice groups are modifier groups (reference §5.2.8: a set is a
//!   product with modifiers). Each choice is a modifier product of its own, priced at the
//!   choice's surcharge and carrying the dish's picture, the default choice first;
//! * what comes with a dish without being chosen (a napkin set with burgers, chicken, rolls and
//!   combos; salt with fries; two sugar sticks with coffee and tea) is an automatic group
//!   (`is_auto_modifier: 1`), which the kiosk shows as "included". Its items weigh 0, so they
//!   never count against a weight limit;
//! * JPOS has no stop-list (§5.2.8, §8.2): staff take a sold-out dish off the layouts in
//!   Jupiter. A dish, combo or modifier the fixture has stopped (`remains: 0`) is therefore in
//!   the document but listed in [`MenuDoc::sold_out`], which getTT leaves out and
//!   `POST /_sim/menu/sold_out` changes at run time. Limited remains are not shown: getTT has
//!   no stock levels.
//!
//! Left out because getTT cannot say them: order-category price lists (takeaway prices),
//! discounts and markups (Jupiter's discounts are server rules, [`super::DiscountRule`]), tags,
//! category pictures.
//!
//! Every layout product links its picture on the simulator (`/images/{kind}/{code}.jpg`, made
//! absolute by getTT with the caller's `Host`). The painter draws it from the dish's kind, name
//! and code, exactly as ProCart's `/images/dish/{code}.jpg`, so both demos show the same
//! pictures.
//!
//! Uids follow the reference's classes (§2.1): layouts `5:1:0:{category}` under the main
//! `5:99:0:1`, products `3:1:0:{code}`, modifiers `3:99:0:{code}`, the included items
//! `3:98:0:{code}` (their own codes, out of the fixture's way). Modifier groups and combo
//! choices have no code of their own in the fixture: they are numbered in document order
//! (`5:98:0:{n}`, `3:97:0:{n}`), so the same fixture always gives the same uids.

use std::collections::{BTreeSet, HashMap};

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::menu::{link, price_value, section, MenuDoc};
use crate::fixture::{Category, Combo, Dish, MenuFixture, Modifier, ModifierScheme};

/// When the demo menu was "last edited": fixed, so a kiosk's cached menu stays valid across
/// simulator restarts.
pub const DEMO_SETTINGS_DATE: &str = "2024-09-01 09:00:00";

/// The main layout's uid.
pub const MAIN_LAYOUT: &str = "5:99:0:1";

/// The card payment type the kiosk's demo pays with.
pub const PAY_CARD: &str = "paymentCard";

/// VAT of every product: Russian catering is taxed at 20 %.
const TAX: &str = "20";

/// An automatic group: what comes with dishes of some picture kinds, free, without asking.
struct Included {
    group: &'static str,
    item: &'static str,
    code: u32,
    quantity: &'static str,
    kinds: &'static [&'static str],
}

static INCLUDED: [Included; 3] = [
    Included {
        group: "Салфетки",
        item: "Набор салфеток",
        code: 9101,
        quantity: "1",
        kinds: &["burger", "chicken", "roll", "combo"],
    },
    Included {
        group: "Соль",
        item: "Соль порц.",
        code: 9102,
        quantity: "1",
        kinds: &["fries"],
    },
    Included {
        group: "Сахар",
        item: "Сахар порц. 5г",
        code: 9103,
        quantity: "2",
        kinds: &["coffee"],
    },
];

impl MenuDoc {
    /// The demo restaurant ([`MenuFixture::demo`]) as getTT serves it.
    pub fn demo() -> MenuDoc {
        MenuDoc::from_fixture(&MenuFixture::demo())
    }

    /// Any ProCart fixture as a Jupiter restaurant (see the module documentation).
    pub fn from_fixture(fx: &MenuFixture) -> MenuDoc {
        Builder::new(fx).build()
    }
}

struct Builder<'f> {
    fx: &'f MenuFixture,
    /// Modifier groups in document order.
    groups: Vec<Value>,
    /// The uids of the automatic groups, with what they include.
    included: Vec<(String, &'static Included)>,
    /// The uids of each modifier scheme's groups, by scheme code.
    schemes: HashMap<i64, Vec<String>>,
    sold_out: BTreeSet<String>,
    /// The last record number given to a modifier group or a combo choice.
    seq: u64,
}

impl<'f> Builder<'f> {
    fn new(fx: &'f MenuFixture) -> Builder<'f> {
        Builder {
            fx,
            groups: Vec::new(),
            included: Vec::new(),
            schemes: HashMap::new(),
            sold_out: BTreeSet::new(),
            seq: 0,
        }
    }

    fn next(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn build(mut self) -> MenuDoc {
        let fx = self.fx;
        // Automatic groups first, then the schemes' groups: a dish only refers to them.
        for inc in &INCLUDED {
            let uid = self.included_group(inc);
            self.included.push((uid, inc));
        }
        for s in &fx.modifier_schemes {
            let uids = self.scheme_groups(s);
            self.schemes.insert(s.code, uids);
        }

        let mut categories: Vec<&Category> = fx.categories.iter().collect();
        categories.sort_by_key(|c| c.sort);
        let top = categories.iter().filter(|c| c.parent_code.is_none());
        let mut sections = vec![section(
            "ГЛАВНОЕ",
            MAIN_LAYOUT,
            true,
            top.map(|c| link(&c.name, &layout_uid(c.code))).collect(),
        )];
        for (i, c) in categories.iter().enumerate() {
            // Jupiter's goods groups are numbered folders: "01.БУРГЕРЫ".
            let goods_group = format!("{:02}.{}", i + 1, c.name.to_uppercase());
            let mut items: Vec<(i32, Value)> = Vec::new();
            for d in fx.dishes.iter().filter(|d| d.category_code == c.code) {
                items.push((d.sort, self.dish_button(d, &goods_group, &c.name)));
            }
            for k in fx.combos.iter().filter(|k| k.category_code == c.code) {
                items.push((k.sort, self.combo_button(k, &goods_group, &c.name)));
            }
            items.sort_by_key(|(sort, _)| *sort);
            let subcategories = categories
                .iter()
                .filter(|sub| sub.parent_code == Some(c.code))
                .map(|sub| link(&sub.name, &layout_uid(sub.code)));
            let buttons = items.into_iter().map(|(_, b)| b).chain(subcategories);
            sections.push(section(
                &c.name,
                &layout_uid(c.code),
                false,
                buttons.collect(),
            ));
        }

        MenuDoc {
            data: json!({
                "id": "1",
                "name": fx.restaurant.name,
                "print_header": fx.restaurant.name,
            }),
            menu: json!({
                "settingsDate": DEMO_SETTINGS_DATE,
                "menuSections": sections,
                "payment": [
                    {"cash": "no", "fiscal_num": 2, "type": "card", "name": "Банковская карта", "uid": PAY_CARD},
                    {"cash": "no", "fiscal_num": 2, "type": "sbp", "name": "СБП", "uid": "2:1:0:33"},
                    {"cash": "yes", "fiscal_num": 1, "type": "cash", "name": "РУБЛИ ЗАЛ", "uid": "2:1:0:24"},
                    {"cash": "no", "fiscal_num": 0, "type": "paymentBonus", "name": "Баллы", "uid": "paymentBonus"}
                ],
                "modifiersSections": self.groups,
            }),
            sold_out: self.sold_out,
        }
    }

    /// `groups` followed by the automatic groups that come with a dish of `kind`.
    fn with_included(&self, kind: &str, mut groups: Vec<String>) -> Vec<String> {
        let included = self
            .included
            .iter()
            .filter(|(_, inc)| inc.kinds.contains(&kind));
        groups.extend(included.map(|(uid, _)| uid.clone()));
        groups
    }

    fn included_group(&mut self, inc: &Included) -> String {
        let uid = format!("5:98:0:{}", self.next());
        let item = product(
            inc.item,
            &format!("3:98:0:{}", inc.code),
            json!({
                "code": inc.code.to_string(),
                "price": 0,
                "tax": TAX,
                "modifiers": [],
                "action": "",
                "group_name": "90.ДОП",
                "subgroup_name": inc.group.to_uppercase(),
                "quantity": inc.quantity,
                "weight": 0,
                "image": "",
                "description": "",
            }),
        );
        self.groups
            .push(group(inc.group, &uid, true, None, None, vec![item]));
        uid
    }

    /// The scheme's groups, pushed to `modifiersSections`; their uids in scheme order.
    fn scheme_groups(&mut self, s: &ModifierScheme) -> Vec<String> {
        let mut uids = Vec::new();
        for g in &s.groups {
            let uid = format!("5:98:0:{}", self.next());
            let items = g
                .modifiers
                .iter()
                .map(|m| self.modifier_button(m, &s.name))
                .collect();
            self.groups
                .push(group(&g.name, &uid, false, Some(g.min), g.max, items));
            uids.push(uid);
        }
        uids
    }

    fn modifier_button(&mut self, m: &Modifier, scheme: &str) -> Value {
        let uid = format!("3:99:0:{}", m.code);
        if m.remains == Some(Decimal::ZERO) {
            self.sold_out.insert(uid.clone());
        }
        product(
            &m.name,
            &uid,
            json!({
                "code": m.code.to_string(),
                "price": price_value(m.price),
                "tax": TAX,
                "modifiers": [],
                "action": "",
                "group_name": "90.ДОП",
                "subgroup_name": scheme.to_uppercase(),
                "quantity": "1",
                "weight": 1,
                "image": "",
                "description": "",
            }),
        )
    }

    /// The combo's choice groups, pushed to `modifiersSections`: their uids in combo order, and
    /// whether a required group has nothing left to choose (then the combo cannot be sold).
    fn combo_groups(&mut self, combo: &Combo) -> (Vec<String>, bool) {
        let fx = self.fx;
        let mut uids = Vec::new();
        let mut unsellable = false;
        for g in &combo.groups {
            let uid = format!("5:98:0:{}", self.next());
            // Jupiter has no default choice: the default goes first, where the kiosk looks.
            let mut choices: Vec<_> = g.items.iter().collect();
            choices.sort_by_key(|i| Some(i.dish_code) != g.default_dish_code);
            let mut items = Vec::new();
            for choice in choices {
                let Some(d) = fx.dishes.iter().find(|d| d.code == choice.dish_code) else {
                    continue;
                };
                let choice_uid = format!("3:97:0:{}", self.next());
                if d.remains == Some(Decimal::ZERO) {
                    self.sold_out.insert(choice_uid.clone());
                }
                let kind = fx.image_kind(d.category_code, d.image.as_deref());
                items.push(product(
                    &d.name,
                    &choice_uid,
                    json!({
                        "code": format!("{}-{}", combo.code, d.code),
                        "price": price_value(choice.price_delta),
                        "tax": TAX,
                        "modifiers": [],
                        "action": "",
                        "group_name": "90.ДОП",
                        "subgroup_name": combo.name.to_uppercase(),
                        "quantity": "1",
                        "weight": 1,
                        "image": image_path(&kind, d.code),
                        "description": d.description.clone().unwrap_or_default(),
                    }),
                ));
            }
            let left = items
                .iter()
                .filter(|i| !i["uid"].as_str().is_some_and(|u| self.sold_out.contains(u)))
                .count();
            unsellable |= g.min > 0 && left == 0;
            self.groups
                .push(group(&g.name, &uid, false, Some(g.min), Some(g.max), items));
            uids.push(uid);
        }
        (uids, unsellable)
    }

    fn dish_button(&mut self, d: &Dish, goods_group: &str, category: &str) -> Value {
        let uid = format!("3:1:0:{}", d.code);
        if d.remains == Some(Decimal::ZERO) {
            self.sold_out.insert(uid.clone());
        }
        let kind = self.fx.image_kind(d.category_code, d.image.as_deref());
        let scheme = d.modifier_scheme_code;
        let own = scheme.and_then(|s| self.schemes.get(&s)).cloned();
        let mandatory = scheme
            .and_then(|s| self.fx.modifier_schemes.iter().find(|m| m.code == s))
            .is_some_and(|s| s.groups.iter().any(|g| g.min > 0));
        product(
            &d.name,
            &uid,
            json!({
                "code": d.code.to_string(),
                "price": price_value(d.price),
                "tax": TAX,
                "modifiers": self.with_included(&kind, own.unwrap_or_default()),
                // A dish that cannot be ordered without a choice opens the picker (§5.2.2).
                "show_modifiers_always": if mandatory { 1 } else { 0 },
                "max_weight_summ": null,
                "action": "",
                "group_name": goods_group,
                "subgroup_name": category,
                "image": image_path(&kind, d.code),
                "description": description(d),
            }),
        )
    }

    fn combo_button(&mut self, k: &Combo, goods_group: &str, category: &str) -> Value {
        let uid = format!("3:1:0:{}", k.code);
        let (groups, unsellable) = self.combo_groups(k);
        if unsellable || k.remains == Some(Decimal::ZERO) {
            self.sold_out.insert(uid.clone());
        }
        product(
            &k.name,
            &uid,
            json!({
                "code": k.code.to_string(),
                "price": price_value(k.price),
                "tax": TAX,
                "modifiers": self.with_included("combo", groups),
                "show_modifiers_always": 1,
                "max_weight_summ": null,
                "action": "",
                "group_name": goods_group,
                "subgroup_name": category,
                "image": image_path("combo", k.code),
                "description": k.description.clone().unwrap_or_default(),
            }),
        )
    }
}

/// The description with the portion after it: getTT has no portion field.
fn description(d: &Dish) -> String {
    let portion = d
        .portion
        .as_ref()
        .map(|p| format!("{} {}", p.value.normalize(), p.unit));
    match (d.description.as_deref().filter(|t| !t.is_empty()), portion) {
        (Some(t), Some(p)) => format!("{t} · {p}"),
        (Some(t), None) => t.to_string(),
        (None, p) => p.unwrap_or_default(),
    }
}

/// A picture link on the simulator; getTT makes it absolute.
pub fn image_path(kind: &str, code: i64) -> String {
    format!("/images/{kind}/{code}.jpg")
}

fn layout_uid(category: i64) -> String {
    format!("5:1:0:{category}")
}

fn product(name: &str, uid: &str, options: Value) -> Value {
    json!({"name": name, "uid": uid, "type": "product", "is_button": 1, "is_main": 0, "options": options})
}

/// A modifier group; a minimum of 0 and no maximum are `null` (no bound), as in the seed.
fn group(
    name: &str,
    uid: &str,
    auto: bool,
    min: Option<u32>,
    max: Option<u32>,
    buttons: Vec<Value>,
) -> Value {
    json!({
        "name": name, "uid": uid, "type": "", "is_button": 0, "is_main": 0, "is_modifier": 1,
        "is_auto_modifier": if auto { 1 } else { 0 },
        "weight_min": min.filter(|m| *m > 0), "weight_max": max, "buttons": buttons
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buttons<'a>(doc: &'a MenuDoc, key: &str) -> impl Iterator<Item = &'a Value> {
        doc.menu[key]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s["buttons"].as_array().into_iter().flatten())
    }

    fn product_named<'a>(doc: &'a MenuDoc, name: &str) -> &'a Value {
        buttons(doc, "menuSections")
            .find(|b| b["name"] == name)
            .unwrap_or_else(|| panic!("no product {name}"))
    }

    #[test]
    fn every_dish_and_combo_of_the_fixture_is_a_product_with_its_price() {
        let fx = MenuFixture::demo();
        let doc = MenuDoc::demo();
        let ix = doc.index();
        for d in &fx.dishes {
            assert_eq!(
                ix[&format!("3:1:0:{}", d.code)].price,
                d.price,
                "{}",
                d.name
            );
        }
        for c in &fx.combos {
            assert_eq!(
                ix[&format!("3:1:0:{}", c.code)].price,
                c.price,
                "{}",
                c.name
            );
        }
        let cheeseburger = product_named(&doc, "Чизбургер");
        assert_eq!(cheeseburger["options"]["image"], "/images/burger/1001.jpg");
        assert_eq!(cheeseburger["options"]["show_modifiers_always"], 1);
        let text = cheeseburger["options"]["description"].as_str().unwrap();
        assert!(text.ends_with(" · 180 г"), "{text}");
    }

    #[test]
    fn schemes_become_weighted_groups_and_napkins_come_included() {
        let doc = MenuDoc::demo();
        let groups = doc.menu["modifiersSections"].as_array().unwrap();
        let by_uid = |uid: &Value| groups.iter().find(|g| &g["uid"] == uid).unwrap();
        let burger = product_named(&doc, "Чизбургер");
        let names: Vec<_> = burger["options"]["modifiers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| by_uid(u)["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Соус", "Добавки", "Убрать", "Салфетки"]);
        let sauce = by_uid(&burger["options"]["modifiers"][0]);
        assert_eq!(
            (&sauce["weight_min"], &sauce["weight_max"]),
            (&json!(1), &json!(1))
        );
        let extras = by_uid(&burger["options"]["modifiers"][1]);
        assert_eq!(extras["weight_min"], Value::Null, "optional");
        let napkins = by_uid(&burger["options"]["modifiers"][3]);
        assert_eq!(napkins["is_auto_modifier"], 1);
        assert_eq!(napkins["buttons"][0]["options"]["price"], 0);
        let sugar = groups.iter().find(|g| g["name"] == "Сахар").unwrap();
        assert_eq!(sugar["buttons"][0]["options"]["quantity"], "2");
    }

    #[test]
    fn combos_offer_their_default_choice_first_at_its_surcharge() {
        let doc = MenuDoc::demo();
        let combo = product_named(&doc, "Комбо Классик");
        let groups = doc.menu["modifiersSections"].as_array().unwrap();
        let first = &combo["options"]["modifiers"][0];
        let burgers = groups.iter().find(|g| &g["uid"] == first).unwrap();
        assert_eq!(burgers["weight_min"], 1);
        assert_eq!(burgers["buttons"][0]["name"], "Чизбургер");
        let bacon = burgers["buttons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["name"] == "Бургер с беконом")
            .unwrap();
        assert_eq!(
            doc.index()[bacon["uid"].as_str().unwrap()].price,
            Decimal::new(9000, 2)
        );
        assert_eq!(bacon["options"]["image"], "/images/burger/1003.jpg");
    }

    #[test]
    fn stopped_items_are_sold_out_and_left_out_of_get_tt() {
        let doc = MenuDoc::demo();
        assert!(doc.sold_out.contains("3:1:0:1008"), "Фиш бургер is stopped");
        assert!(doc.sold_out.contains("3:99:0:5013"), "so is Халапеньо");
        assert!(
            !doc.sold_out.contains("3:1:0:1010"),
            "limited is not stopped"
        );
        let served = doc.rendered_menu("http://h", false);
        let text = served.to_string();
        assert!(!text.contains("\"3:1:0:1008\""));
        assert!(!text.contains("\"3:99:0:5013\""));
        assert!(text.contains("\"http://h/images/burger/1001.jpg\""));
    }

    #[test]
    fn the_same_fixture_always_gives_the_same_document() {
        assert_eq!(MenuDoc::demo(), MenuDoc::demo());
    }
}
