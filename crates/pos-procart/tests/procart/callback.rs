//! Push notifications from fixture bodies.

use kiosk_core::order::OrderStatus;
use pos_procart::{parse_callback, CallbackError};

use crate::fixture;

#[test]
fn reference_callback() {
    let e = parse_callback(&fixture("callback.json")).unwrap();
    assert_eq!(e.status, OrderStatus::Bill);
    insta::assert_json_snapshot!(e);
}

#[test]
fn callback_variants() {
    let e = parse_callback(&fixture("callback_variants.json")).unwrap();
    assert_eq!(
        e.status,
        OrderStatus::Unknown {
            raw: "PAID_PARTIALLY".into()
        }
    );
    assert_eq!(e.previous, Some(OrderStatus::Bill));
    assert_eq!(e.number.as_deref(), Some("123"));
    assert_eq!(e.external_id, None);
    insta::assert_json_snapshot!(e);
}

#[test]
fn other_fixtures_are_not_callbacks() {
    // A menu has no guid; an order without a status is not a status change.
    assert_eq!(
        parse_callback(&fixture("getmenu.json")),
        Err(CallbackError::MissingGuid)
    );
    let mut order: serde_json::Value = serde_json::from_slice(&fixture("postorder.json")).unwrap();
    order.as_object_mut().unwrap().remove("status");
    assert_eq!(
        parse_callback(order.to_string().as_bytes()),
        Err(CallbackError::MissingStatus)
    );
    assert!(matches!(
        parse_callback(&fixture("truncated_menu.json")),
        Err(CallbackError::NotJson(_))
    ));
}
