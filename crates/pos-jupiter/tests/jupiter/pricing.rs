//! Local pricing from the menu: automatic modifiers, quantities, weight limits per group and per
//! product, and what cannot be priced.

use kiosk_core::pricing::QuoteSource;
use kiosk_core::{Money, PosError};
use pos_jupiter::catalog::{build_menu, JupiterMenu, MenuOptions};
use pos_jupiter::pricing::{price_cart, PricingError};
use rust_decimal_macros::dec;

use crate::support::{cart, gettt, line};

fn reference() -> JupiterMenu {
    build_menu(&gettt("gettt-reference.json"), &MenuOptions::default())
}

fn m(s: &str) -> Money {
    Money::parse(s).unwrap()
}

const PHIL: &str = "3:1:0:501";
const WATER: &str = "3:98:0:40001";
const SOY: &str = "3:99:0:60001";
const CHEESE: &str = "3:99:0:60002";

#[test]
fn the_reference_order_prices_as_in_the_reference() {
    // Two rolls with one cheese each and the automatic soy sauce ×2: 1216.00 (reference §4).
    let menu = reference();
    let p = price_cart(
        &menu.catalog,
        Some(&menu),
        &cart(vec![line(PHIL, 2, &[(CHEESE, 1)])]),
    )
    .unwrap();
    assert_eq!(p.total, m("1216.00"));
    let l = &p.lines[0];
    assert_eq!(l.modifiers.len(), 2);
    assert_eq!(
        (
            l.modifiers[0].id.as_str(),
            l.modifiers[0].qty,
            l.modifiers[0].auto
        ),
        (SOY, dec!(2), true)
    );
    assert_eq!(
        (l.modifiers[1].id.as_str(), l.modifiers[1].total),
        (CHEESE, m("118.00"))
    );
    let q = p.to_quote();
    assert_eq!(
        q.source,
        QuoteSource::Estimate,
        "local prices are never the POS's"
    );
    assert_eq!(q.total, m("1216.00"));
    assert_eq!(q.lines[0].modifiers[0].qty, 2);
}

#[test]
fn fractional_prices_stay_exact() {
    let menu = reference();
    let p = price_cart(&menu.catalog, Some(&menu), &cart(vec![line(WATER, 3, &[])])).unwrap();
    assert_eq!(p.total, m("269.70"));
}

#[test]
fn group_weights_are_enforced() {
    let menu = reference();
    // ДОБАВКИ needs weight 1..2.
    let e = price_cart(&menu.catalog, Some(&menu), &cart(vec![line(PHIL, 1, &[])])).unwrap_err();
    assert!(
        matches!(&e, PricingError::GroupWeight { group, chosen, .. } if group == "5:98:0:80002" && chosen.is_zero()),
        "{e}"
    );
    assert!(matches!(PosError::from(e), PosError::Refused { .. }));
    let e = price_cart(
        &menu.catalog,
        Some(&menu),
        &cart(vec![line(PHIL, 1, &[(CHEESE, 3)])]),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            PricingError::ModifierQuantity { .. } | PricingError::GroupWeight { .. }
        ),
        "{e}"
    );
}

#[test]
fn the_product_weight_limit_counts_automatic_modifiers() {
    // max_weight_summ 3: soy 2 × weight 1 + cheese 2 × weight 1 = 4.
    let menu = reference();
    let e = price_cart(
        &menu.catalog,
        Some(&menu),
        &cart(vec![line(PHIL, 1, &[(CHEESE, 2)])]),
    )
    .unwrap_err();
    assert!(
        matches!(e, PricingError::ProductWeight { max, chosen, .. } if max == dec!(3) && chosen == dec!(4)),
        "{e}"
    );
}

#[test]
fn weights_other_than_one_count_as_weights() {
    // Group 5:98:0:1 of the quirks menu: weight 2..6, ЛЁГКИЙ weighs 1, ТЯЖЁЛЫЙ 3; product 14.
    let menu = build_menu(&gettt("gettt-quirks.json"), &MenuOptions::default());
    let price = |mods: &[(&str, u32)]| {
        price_cart(
            &menu.catalog,
            Some(&menu),
            &cart(vec![line("3:1:0:14", 1, mods)]),
        )
    };
    assert!(
        matches!(
            price(&[("3:99:0:1", 1)]),
            Err(PricingError::GroupWeight { .. })
        ),
        "weight 1 < 2"
    );
    assert_eq!(
        price(&[("3:99:0:2", 1)]).unwrap().total,
        m("20.60"),
        "0.10 + 20.50, weight 3"
    );
    assert_eq!(
        price(&[("3:99:0:1", 3), ("3:99:0:2", 1)]).unwrap().total,
        m("50.60"),
        "weight 6"
    );
    assert!(
        matches!(
            price(&[("3:99:0:2", 2), ("3:99:0:1", 1)]),
            Err(PricingError::GroupWeight { .. })
        ),
        "weight 7"
    );
}

#[test]
fn what_cannot_be_priced_says_why() {
    let menu = reference();
    let price = |c| price_cart(&menu.catalog, Some(&menu), &c);
    assert_eq!(price(cart(vec![])).unwrap_err(), PricingError::Empty);
    let e = price(cart(vec![line("nope", 1, &[])])).unwrap_err();
    assert!(
        matches!(PosError::from(e), PosError::DishUnavailable { dish: Some(d), .. } if d == "nope")
    );
    assert!(matches!(
        price(cart(vec![line(WATER, 0, &[])])),
        Err(PricingError::BadQuantity { .. })
    ));
    assert!(matches!(
        price(cart(vec![line(WATER, 100, &[])])),
        Err(PricingError::BadQuantity { .. })
    ));
    assert!(matches!(
        price(cart(vec![line(WATER, 1, &[(CHEESE, 1)])])),
        Err(PricingError::UnknownModifier { .. })
    ));
    let mut combo = line(WATER, 1, &[]);
    combo.combo = vec![kiosk_core::cart::ComboPick {
        slot: "s".into(),
        dish: WATER.into(),
        qty: 1,
        modifiers: vec![],
    }];
    assert!(matches!(
        price(cart(vec![combo])),
        Err(PricingError::ComboUnsupported { .. })
    ));
}

#[test]
fn choosing_an_automatic_modifier_changes_nothing() {
    let menu = reference();
    let p = price_cart(
        &menu.catalog,
        Some(&menu),
        &cart(vec![line(PHIL, 1, &[(CHEESE, 1), (SOY, 5)])]),
    )
    .unwrap();
    assert_eq!(p.lines[0].modifiers[0].qty, dec!(2));
    assert_eq!(p.total, m("608.00"));
}

#[test]
fn the_catalog_alone_still_prices() {
    // After a restart without getTT: counts instead of weights, automatic quantities from the
    // catalog.
    let menu = reference();
    let p = price_cart(
        &menu.catalog,
        None,
        &cart(vec![line(PHIL, 2, &[(CHEESE, 1)])]),
    )
    .unwrap();
    assert_eq!(p.total, m("1216.00"));
    assert_eq!(p.lines[0].modifiers[0].qty, dec!(2));
    assert!(price_cart(&menu.catalog, None, &cart(vec![line(PHIL, 1, &[])])).is_err());
}
