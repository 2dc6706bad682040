//! Bodies that are not what they should be: each must become the right typed error, never a
//! panic and never a half-read value.

use kiosk_core::PosError;
use pos_procart::{decode_menu, decode_order, decode_orders, decode_quote};

use crate::fixture;

#[test]
fn valid_false_names_the_dish() {
    let e = decode_quote(&fixture("validate_valid_false.json")).unwrap_err();
    assert_eq!(
        e,
        PosError::DishUnavailable {
            dish: Some("1101".into()),
            message: "Блюдо 1101 «Кола 0,5»: осталось 2, запрошено 5".into()
        }
    );
    assert!(e.is_refusal());
}

#[test]
fn in_band_errors_of_2xx_bodies() {
    assert!(matches!(
        decode_order(&fixture("error_success_false.json")),
        Err(PosError::CashServerDown(m)) if m == "Нет связи с кассовым сервером"
    ));
    assert_eq!(
        decode_order(&fixture("error_result_false.json")),
        Err(PosError::Refused {
            reason: "Стол 12 занят".into()
        })
    );
}

#[test]
fn broken_bodies_are_malformed() {
    let cases: Vec<(&str, PosError)> = vec![
        (
            "truncated_menu.json",
            decode_menu(&fixture("truncated_menu.json")).unwrap_err(),
        ),
        (
            "malformed_order.json",
            decode_order(&fixture("malformed_order.json")).unwrap_err(),
        ),
        (
            "wrong_types_menu.json",
            decode_menu(&fixture("wrong_types_menu.json")).unwrap_err(),
        ),
        (
            "order_missing_guid.json",
            decode_order(&fixture("order_missing_guid.json")).unwrap_err(),
        ),
        (
            "validate_no_total.json",
            decode_quote(&fixture("validate_no_total.json")).unwrap_err(),
        ),
        (
            "getorders_no_list.json",
            decode_orders(&fixture("getorders_no_list.json")).unwrap_err(),
        ),
        ("empty body", decode_menu(b"  \n").unwrap_err()),
        ("html", decode_order(b"<html>502</html>").unwrap_err()),
    ];
    for (name, e) in &cases {
        assert!(matches!(e, PosError::Malformed(_)), "{name}: {e:?}");
        // A lost or garbled answer to /postorder must send the caller to reconcile.
        assert!(e.outcome_unknown(), "{name}");
    }
    let report: Vec<String> = cases.iter().map(|(n, e)| format!("{n}: {e}")).collect();
    insta::assert_snapshot!(report.join("\n"));
}

#[test]
fn truncation_is_named_as_such() {
    let e = decode_menu(&fixture("truncated_menu.json")).unwrap_err();
    assert!(e.to_string().contains("cut off"), "{e}");
}
