//! Property tests: money and codes read the same whatever form the wire uses, and random but
//! well-formed menus and orders map without panics and without losing entries.

use kiosk_core::catalog::FaultKind;
use kiosk_core::order::OrderStatus;
use kiosk_core::Money;
use pos_procart::wire::{Code, WireDish};
use pos_procart::{decode_menu, decode_order, decode_quote};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::Rng;

/// An amount in one of the forms gateways use: a JSON number, a string, a string with a comma.
fn amount(r: &mut Rng) -> (Value, Money) {
    let m = Money::from_minor(r.below(10_000_000) as i64);
    let text = m.to_string();
    let v = match r.below(3) {
        0 => serde_json::from_str(&text).unwrap(),
        1 => Value::String(text),
        _ => Value::String(text.replace('.', ",")),
    };
    (v, m)
}

/// A code as a number or as a string.
fn code(r: &mut Rng, n: i64) -> Value {
    if r.chance(50) {
        json!(n)
    } else {
        json!(n.to_string())
    }
}

/// A field that is sometimes null, sometimes absent, sometimes set.
fn maybe(r: &mut Rng, obj: &mut serde_json::Map<String, Value>, key: &str, v: Value) {
    match r.below(3) {
        0 => {}
        1 => {
            obj.insert(key.into(), Value::Null);
        }
        _ => {
            obj.insert(key.into(), v);
        }
    }
}

struct Expected {
    sections: usize,
    dishes: Vec<(String, Money)>,
    groups: usize,
    combos: usize,
}

fn random_menu(seed: u64) -> (Vec<u8>, Expected) {
    let r = &mut Rng::new(seed);
    let n_cat = r.below(6) as i64;
    let categories: Vec<Value> = (0..n_cat)
        .map(|i| {
            let mut o = serde_json::Map::new();
            o.insert("code".into(), code(r, 10 + i));
            o.insert("name".into(), json!(format!("Категория {i}")));
            let parent = if i > 0 {
                let p = 10 + r.below(i as u64) as i64;
                code(r, p)
            } else {
                Value::Null
            };
            maybe(r, &mut o, "parent_code", parent);
            maybe(r, &mut o, "sort", json!(i));
            if r.chance(30) {
                o.insert("x_extra".into(), json!({"a": [1, 2]}));
            }
            Value::Object(o)
        })
        .collect();
    let mut n_groups = 0;
    let n_schemes = r.below(4) as i64;
    let schemes: Vec<Value> = (0..n_schemes)
        .map(|s| {
            let groups: Vec<Value> = (0..r.below(3) as i64)
                .map(|g| {
                    n_groups += 1;
                    let modifiers: Vec<Value> = (0..r.below(4) as i64)
                        .map(|m| {
                            let (price, _) = amount(r);
                            json!({"code": code(r, 5000 + s * 100 + g * 10 + m), "name": "M", "price": price,
                                   "max_quantity": r.below(3)})
                        })
                        .collect();
                    json!({"code": code(r, 50 + g), "name": "G", "min": r.below(2), "max": if r.chance(50) { json!(null) } else { json!(1 + r.below(3)) },
                           "modifiers": modifiers})
                })
                .collect();
            json!({"code": code(r, 1 + s), "name": "S", "groups": groups})
        })
        .collect();
    let n_dishes = r.below(25) as i64;
    let mut dishes_expected = Vec::new();
    let dishes: Vec<Value> = (0..n_dishes)
        .map(|i| {
            let (price, m) = amount(r);
            dishes_expected.push(((1000 + i).to_string(), m));
            let mut o = serde_json::Map::new();
            o.insert("code".into(), code(r, 1000 + i));
            o.insert("name".into(), json!(format!("Блюдо {i}")));
            o.insert("price".into(), price);
            if n_cat > 0 {
                let cat = 10 + r.below(n_cat as u64) as i64;
                o.insert("category_code".into(), code(r, cat));
            }
            let remains = if r.chance(50) {
                json!(r.below(5))
            } else {
                json!(format!("{}.5", r.below(5)))
            };
            maybe(r, &mut o, "remains", remains);
            if n_schemes > 0 {
                let scheme = 1 + r.below(n_schemes as u64) as i64;
                let scheme = code(r, scheme);
                maybe(r, &mut o, "modifier_scheme_code", scheme);
            }
            maybe(r, &mut o, "tags", json!(["new", "spicy", "unknown"]));
            maybe(r, &mut o, "portion", json!({"value": "150", "unit": "г"}));
            maybe(
                r,
                &mut o,
                "image_url",
                json!(format!("http://pos/img/{i}.jpg")),
            );
            Value::Object(o)
        })
        .collect();
    let n_combos = r.below(3) as i64;
    let combos: Vec<Value> = (0..n_combos)
        .map(|c| {
            let (price, _) = amount(r);
            let items: Vec<Value> = (0..n_dishes.min(3))
                .map(|d| json!({"dish_code": code(r, 1000 + d), "price_delta": amount(r).0}))
                .collect();
            json!({"code": code(r, 3000 + c), "name": "C", "price": price, "groups": [
                {"code": code(r, 31), "name": "G", "min": 1, "max": 1, "items": items}
            ]})
        })
        .collect();
    let menu = json!({
        "menu_version": if r.chance(50) { json!(format!("v{seed}")) } else { Value::Null },
        "categories": categories,
        "dishes": dishes,
        "modifier_schemes": schemes,
        "combos": combos,
    });
    (
        serde_json::to_vec(&menu).unwrap(),
        Expected {
            sections: n_cat as usize,
            dishes: dishes_expected,
            groups: n_groups,
            combos: n_combos as usize,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn amounts_read_the_same_as_numbers_and_strings(kopecks in 0i64..100_000_000_000) {
        let m = Money::from_minor(kopecks);
        let text = m.to_string();
        for price in [text.clone(), format!("\"{text}\""), format!("\"{}\"", text.replace('.', ",")),
                      format!("{}", m.decimal().normalize()), format!("\" {text} \"")] {
            let body = format!(r#"{{"code": 1, "price": {price}}}"#);
            let d: WireDish = serde_json::from_str(&body).unwrap();
            prop_assert_eq!(d.price, Some(m), "{}", body);
        }
    }

    #[test]
    fn numeric_codes_round_trip_as_integers(n in any::<i64>()) {
        let from_number: Code = serde_json::from_str(&n.to_string()).unwrap();
        let from_string: Code = serde_json::from_str(&format!("\"{n}\"")).unwrap();
        prop_assert_eq!(&from_number, &from_string);
        prop_assert_eq!(serde_json::to_string(&from_number).unwrap(), n.to_string());
    }

    #[test]
    fn other_codes_round_trip_as_strings(s in "[A-Za-z0-9_-]{1,12}") {
        let c: Code = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        let out = serde_json::to_string(&c).unwrap();
        if c.as_integer().is_some() {
            prop_assert_eq!(out, s);
        } else {
            prop_assert_eq!(out, serde_json::to_string(&s).unwrap());
        }
    }

    #[test]
    fn random_menus_map_and_keep_counts(seed in any::<u64>()) {
        let (body, want) = random_menu(seed);
        let c = decode_menu(&body).unwrap();
        prop_assert_eq!(c.sections.len(), want.sections);
        prop_assert_eq!(c.dishes.len(), want.dishes.len());
        prop_assert_eq!(c.modifier_groups.len(), want.groups);
        prop_assert_eq!(c.combos.len(), want.combos);
        for (d, (id, price)) in c.dishes.iter().zip(&want.dishes) {
            prop_assert_eq!(&d.id, id);
            prop_assert_eq!(d.price, *price);
        }
        prop_assert!(!c.faults.iter().any(|f| f.kind == FaultKind::Malformed), "{:?}", c.faults);
    }

    #[test]
    fn random_orders_map(seed in any::<u64>(), status in "(?i)(open|bill|close|deleted|deferred|[a-z]{1,8})") {
        let r = &mut Rng::new(seed);
        let guid = format!("{{{:08X}-0000-4E8F-9A10-{:012X}}}", r.next_u64() as u32, r.next_u64() & 0xFFFF_FFFF_FFFF);
        let (total, m) = amount(r);
        let body = json!({"guid": guid, "status": status, "total": total, "order_number": r.below(1000),
                          "items": [{"code": 1001, "quantity": 1, "price": total, "total": total}]});
        let o = decode_order(body.to_string().as_bytes()).unwrap();
        prop_assert_eq!(&o.pos_order_id, &guid);
        prop_assert_eq!(o.total, m);
        prop_assert_eq!(o.quote.as_ref().map(|q| q.lines.len()), Some(1));
        let known = ["open", "bill", "close", "deleted", "deferred"].contains(&status.to_lowercase().as_str());
        prop_assert_eq!(matches!(o.status, OrderStatus::Unknown { .. }), !known && !["opened", "precheck", "closed", "delete"].contains(&status.to_lowercase().as_str()));
    }

    #[test]
    fn quotes_keep_their_lines(n in 0usize..20, seed in any::<u64>()) {
        let r = &mut Rng::new(seed);
        let items: Vec<Value> = (0..n).map(|i| json!({"code": 1000 + i, "quantity": 1 + r.below(5), "price": amount(r).0, "sum": amount(r).0})).collect();
        let (total, m) = amount(r);
        let q = decode_quote(json!({"items": items, "total": total}).to_string().as_bytes()).unwrap();
        prop_assert_eq!(q.lines.len(), n);
        prop_assert_eq!(q.total, m);
    }
}
