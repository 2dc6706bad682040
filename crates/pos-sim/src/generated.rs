//! Synthetic large menus for benchmarks (`--menu generated:5000`).
//!
//! Built in memory and directly as fixture structs (no JSON round trip), deterministic for a
//! given size, so 20,000 dishes take milliseconds. The shape mirrors the demo restaurant: twelve
//! picture kinds of categories, a few modifier schemes, combos, stop-listed and limited dishes,
//! order-category prices and an automatic combo discount. Pictures are drawn on request only.

use rust_decimal::Decimal;

use crate::fixture::*;

const KINDS: [(&str, &str); 12] = [
    ("Бургеры", "burger"),
    ("Курица", "chicken"),
    ("Картофель", "fries"),
    ("Комбо", "combo"),
    ("Салаты", "salad"),
    ("Супы", "soup"),
    ("Пицца", "pizza"),
    ("Роллы", "roll"),
    ("Десерты", "dessert"),
    ("Кофе", "coffee"),
    ("Напитки", "drink"),
    ("Соусы", "sauce"),
];

const ADJECTIVES: [&str; 10] = [
    "Классический",
    "Острый",
    "Фирменный",
    "Домашний",
    "Сырный",
    "Двойной",
    "Летний",
    "Пряный",
    "Нежный",
    "Большой",
];

fn money(kopecks: i64) -> Decimal {
    Decimal::new(kopecks, 2)
}

fn scheme(code: i64, name: &str, base_mod: i64) -> ModifierScheme {
    let m = |i: i64, name: &str, kop: i64, maxq: u32| Modifier {
        code: base_mod + i,
        name: name.to_string(),
        price: money(kop),
        max_quantity: maxq,
        remains: None,
    };
    ModifierScheme {
        code,
        name: name.to_string(),
        groups: vec![
            ModifierGroup {
                code: code * 10 + 1,
                name: "Выбор".into(),
                min: 1,
                max: Some(1),
                modifiers: vec![
                    m(1, "Обычный", 0, 1),
                    m(2, "Большой", 5000, 1),
                    m(3, "Маленький", 0, 1),
                ],
            },
            ModifierGroup {
                code: code * 10 + 2,
                name: "Добавки".into(),
                min: 0,
                max: Some(3),
                modifiers: vec![
                    m(11, "Сыр", 3990, 2),
                    m(12, "Соус", 2990, 2),
                    m(13, "Зелень", 1990, 1),
                ],
            },
        ],
    }
}

/// A menu of `dishes` dishes (at least one), deterministic for the size.
pub fn generated_menu(dishes: usize) -> MenuFixture {
    let dishes = dishes.max(1);
    let categories: Vec<Category> = KINDS
        .iter()
        .enumerate()
        .map(|(i, (name, kind))| Category {
            code: (i as i64 + 1) * 10,
            name: name.to_string(),
            parent_code: None,
            sort: i as i32 + 1,
            image: Some(kind.to_string()),
        })
        .collect();
    let schemes: Vec<ModifierScheme> = (1..=4)
        .map(|s| scheme(s, &format!("Схема {s}"), 900_000 + s * 100))
        .collect();
    let mut list = Vec::with_capacity(dishes);
    for i in 0..dishes {
        let code = 100_000 + i as i64;
        let cat = &categories[i % categories.len()];
        let adj = ADJECTIVES[(i / categories.len()) % ADJECTIVES.len()];
        // Prices from 59.90 to about 959.90, always with kopecks.
        let kop = 5_990 + ((i as i64 * 7_919) % 900) * 100;
        let remains = match i % 50 {
            7 => Some(Decimal::ZERO),
            13 => Some(Decimal::from(5)),
            _ => None,
        };
        let tags = match i % 17 {
            0 => vec!["hit".to_string()],
            5 => vec!["new".to_string()],
            9 => vec!["spicy".to_string()],
            11 => vec!["vegetarian".to_string()],
            _ => vec![],
        };
        list.push(Dish {
            code,
            name: format!("{adj} {} №{}", cat.name.to_lowercase(), i + 1),
            category_code: cat.code,
            price: money(kop),
            remains,
            modifier_scheme_code: (i % 4 == 0).then_some((i as i64 / 4) % 4 + 1),
            description: Some(format!(
                "Позиция {} из сгенерированного меню для нагрузочных тестов",
                i + 1
            )),
            portion: Some(Portion {
                value: Decimal::from(100 + (i % 40) as i64 * 10),
                unit: "г".into(),
            }),
            sort: i as i32,
            tags,
            image: None,
        });
    }
    let combo_cat = categories[3].code;
    let combos: Vec<Combo> = (0..(dishes / 500).clamp(1, 20))
        .map(|c| {
            let pick = |offset: usize| -> Vec<ComboItem> {
                (0..3)
                    .map(|k| ComboItem {
                        dish_code: list[(c * 37 + offset + k * 12) % list.len()].code,
                        price_delta: money(k as i64 * 2000),
                    })
                    .collect()
            };
            let a = pick(0);
            let b = pick(5);
            Combo {
                code: 10_000 + c as i64,
                name: format!("Комбо №{}", c + 1),
                description: Some("Сгенерированное комбо".into()),
                price: money(39_990 + c as i64 * 1_000),
                category_code: combo_cat,
                remains: None,
                sort: c as i32,
                tags: vec![],
                groups: vec![
                    ComboGroup {
                        code: 20_000 + c as i64 * 10 + 1,
                        name: "Основное".into(),
                        min: 1,
                        max: 1,
                        default_dish_code: a.first().map(|x| x.dish_code),
                        items: dedup(a),
                    },
                    ComboGroup {
                        code: 20_000 + c as i64 * 10 + 2,
                        name: "Дополнение".into(),
                        min: 1,
                        max: 1,
                        default_dish_code: b.first().map(|x| x.dish_code),
                        items: dedup(b),
                    },
                ],
            }
        })
        .collect();
    let takeaway: Vec<PriceEntry> = list
        .iter()
        .step_by(10)
        .map(|d| PriceEntry {
            code: d.code,
            price: d.price - money(1_000).min(d.price),
        })
        .collect();
    MenuFixture {
        restaurant: Restaurant {
            name: format!("Сгенерированное меню на {dishes} блюд"),
            source_name: Some("Нагрузочный тест".into()),
        },
        price_type: Some(PriceType {
            code: 1,
            name: "Основной".into(),
        }),
        default_order_category_code: Some(1),
        default_table_code: 900,
        open_modifier_code: Some(9000),
        tables: vec![Table {
            code: 900,
            name: "Киоск".into(),
        }],
        currencies: vec![
            Currency {
                code: 1,
                name: "Наличные".into(),
            },
            Currency {
                code: 5,
                name: "Банковская карта".into(),
            },
        ],
        order_categories: vec![
            OrderCategory {
                code: 1,
                name: "В зале".into(),
                price_list: vec![],
            },
            OrderCategory {
                code: 2,
                name: "С собой".into(),
                price_list: takeaway,
            },
        ],
        categories,
        dishes: list,
        modifier_schemes: schemes,
        combos,
        discounts: vec![Adjustment {
            code: 7,
            name: "Скидка 10% на комбо".into(),
            kind: AdjustmentKind::Percent,
            value: Some(Decimal::from(10)),
            auto: true,
            applies_to: Some(AppliesTo {
                combos: true,
                ..AppliesTo::default()
            }),
            order_category_codes: vec![],
            min_total: None,
        }],
        markups: vec![],
    }
}

fn dedup(mut items: Vec<ComboItem>) -> Vec<ComboItem> {
    let mut seen = std::collections::HashSet::new();
    items.retain(|i| seen.insert(i.dish_code));
    items
}
