//! Fixture → core type, snapshotted. The snapshots are the readable record of how every
//! assumed field lands in the kiosk's model.

use kiosk_core::cart::{Cart, CartLine, ChosenModifier, ComboPick, OrderType};
use kiosk_core::catalog::{Availability, Badge, FaultKind, UnavailableReason};
use kiosk_core::order::{OrderContext, OrderRequest, OrderStatus};
use kiosk_core::payment::{PaymentReceipt, PaymentRecord};
use kiosk_core::pricing::{AdjustmentKind, QuoteSource};
use kiosk_core::Money;
use pos_procart::{decode_menu, decode_order, decode_orders, decode_ping, decode_quote, mapping};

use crate::fixture;

fn money(s: &str) -> Money {
    Money::parse(s).unwrap()
}

#[test]
fn reference_menu() {
    let c = decode_menu(&fixture("getmenu.json")).unwrap();
    assert_eq!(c.version, "2025-03-01T12:00:00");
    assert_eq!(c.dishes.len(), 2);
    assert_eq!(c.dishes[0].modifier_groups, vec!["5:51", "5:52"]);
    assert_eq!(
        c.dishes[1].availability,
        Availability::Limited { remains: 12 }
    );
    insta::assert_json_snapshot!(c);
}

#[test]
fn menu_variants_map_with_faults_not_failures() {
    let c = decode_menu(&fixture("getmenu_variants.json")).unwrap();
    assert_eq!(c.version, "42");
    let dish = |id: &str| c.dishes.iter().find(|d| d.id == id).unwrap();
    // String money with a comma, fractional remains, camelCase keys, text portion, tags.
    assert_eq!(dish("1001").price, money("199.50"));
    assert_eq!(
        dish("1001").availability,
        Availability::Limited { remains: 3 }
    );
    assert_eq!(dish("1001").badges, vec![Badge::New, Badge::Hit]);
    assert_eq!(dish("1001").portion.as_ref().unwrap().unit, "г");
    assert_eq!(
        dish("1002").availability,
        Availability::OutOfStock {
            reason: UnavailableReason::StopList
        }
    );
    assert_eq!(
        dish("1004").availability,
        Availability::OutOfStock {
            reason: UnavailableReason::SoldOut
        }
    );
    // Root by parent 0; a missing price hides the dish.
    assert_eq!(c.sections[0].parent, None);
    assert!(!dish("1003").availability.can_sell(1));
    let kinds: Vec<FaultKind> = c.faults.iter().map(|f| f.kind).collect();
    for k in [
        FaultKind::Malformed,
        FaultKind::MissingPrice,
        FaultKind::DanglingSection,
        FaultKind::SectionCycle,
        FaultKind::DanglingModifierGroup,
        FaultKind::ImpossibleModifierRule,
        FaultKind::DanglingComboChoice,
        FaultKind::EmptyComboSlot,
        FaultKind::DuplicateId,
        FaultKind::NegativePrice,
    ] {
        assert!(kinds.contains(&k), "no {k:?} fault in {:#?}", c.faults);
    }
    insta::assert_json_snapshot!(c);
}

#[test]
fn reference_quote() {
    let q = decode_quote(&fixture("validate.json")).unwrap();
    assert_eq!(q.source, QuoteSource::Pos);
    assert_eq!(q.total, money("849.10"));
    assert_eq!(q.subtotal, money("837.00"));
    assert_eq!(q.adjustments[0].kind, AdjustmentKind::Discount);
    assert_eq!(q.adjustments[0].amount, money("-37.90"));
    assert!(q.adjustments[0].auto);
    assert_eq!(q.adjustments[1].amount, money("50.00"));
    insta::assert_json_snapshot!(q);
}

#[test]
fn quote_variants() {
    let q = decode_quote(&fixture("validate_variants.json")).unwrap();
    assert_eq!(q.total, money("944.10"));
    // Line totals derived when absent: 379 + 5 (combo part modifier) − 37.90.
    assert_eq!(q.lines[1].total, money("346.10"));
    // A weight line shows one portion; its amount is the POS's.
    assert_eq!(q.lines[2].qty, 1);
    assert_eq!(q.adjustments[0].amount, money("-37.90"));
    insta::assert_json_snapshot!(q);
}

#[test]
fn reference_order() {
    let o = decode_order(&fixture("postorder.json")).unwrap();
    assert_eq!(o.status, OrderStatus::Closed);
    assert_eq!(o.total, money("849.10"));
    assert_eq!(o.paid, money("849.10"));
    insta::assert_json_snapshot!(o);
}

#[test]
fn order_variants() {
    let o = decode_order(&fixture("postorder_variants.json")).unwrap();
    assert_eq!(o.status, OrderStatus::Deferred);
    assert_eq!(o.number.as_deref(), Some("124"));
    // No total: sum − discounts + markups.
    assert_eq!(o.total, money("459.90"));
    assert_eq!(o.paid, Money::ZERO);
    insta::assert_json_snapshot!(o);
}

#[test]
fn getorders_lists() {
    let orders = decode_orders(&fixture("getorders.json")).unwrap();
    assert_eq!(orders[0].status, OrderStatus::Bill);
    insta::assert_json_snapshot!("getorders_reference", orders);
    let orders = decode_orders(&fixture("getorders_variants.json")).unwrap();
    assert_eq!(orders.len(), 3);
    assert_eq!(
        orders[0].status,
        OrderStatus::Unknown {
            raw: "Cooking".into()
        }
    );
    assert_eq!(orders[2].status, OrderStatus::Deleted);
    insta::assert_json_snapshot!("getorders_variants", orders);
    assert!(decode_orders(&fixture("getorders_empty.json"))
        .unwrap()
        .is_empty());
}

#[test]
fn ping_reports() {
    insta::assert_json_snapshot!(
        "ping_reference",
        decode_ping(&fixture("ping.json")).unwrap()
    );
    let info = decode_ping(&fixture("ping_variants.json")).unwrap();
    assert_eq!(info.licence_valid, Some(false));
    assert_eq!(info.cash_server_available, Some(false));
    assert_eq!(info.token_valid, Some(true));
    insta::assert_json_snapshot!("ping_variants", info);
}

fn sample_request() -> OrderRequest {
    OrderRequest {
        cart: Cart {
            order_type: OrderType::Takeaway,
            lines: vec![
                CartLine {
                    dish: "1001".into(),
                    qty: 2,
                    modifiers: vec![ChosenModifier {
                        id: "2002".into(),
                        qty: 1,
                    }],
                    comment: Some("  без лука, пожалуйста ".into()),
                    combo: vec![],
                },
                CartLine {
                    dish: "3001".into(),
                    qty: 1,
                    modifiers: vec![],
                    comment: None,
                    combo: vec![
                        ComboPick {
                            slot: "31".into(),
                            dish: "1001".into(),
                            qty: 1,
                            modifiers: vec![],
                        },
                        ComboPick {
                            slot: "32".into(),
                            dish: "A-7".into(),
                            qty: 1,
                            modifiers: vec![],
                        },
                    ],
                },
            ],
        },
        context: OrderContext {
            order_category: Some("2".into()),
            order_kind: None,
            table: Some("900".into()),
            guests: Some(1),
        },
        external_id: "kiosk-1-000123".into(),
        expected_total: money("849.10"),
        payment: Some(PaymentRecord {
            tender: "5".into(),
            receipt: PaymentReceipt {
                provider: "paysim".into(),
                attempt_id: "att-1".into(),
                transaction_id: "RRN 123456789012".into(),
                auth_code: Some("A1B2C3".into()),
                card_mask: Some("220220******1234".into()),
                amount: money("849.1"),
                paid_at: "2025-03-01T12:34:50".into(),
            },
        }),
        comment: Some("Позвонить за 10 минут до выдачи.".into()),
        short_comment: Some("Киоск 1 / №123 — без лука, с собой, быстро".into()),
        callback_url: Some("http://127.0.0.1:9/procart/callback".into()),
    }
}

#[test]
fn the_postorder_body() {
    let body = mapping::postorder_request(&sample_request());
    let short = body.cart.short_comment.clone().unwrap();
    assert_eq!(short.chars().count(), 30);
    let text = serde_json::to_string_pretty(&body).unwrap();
    // Money stays an exact number; numeric codes are integers, others strings.
    assert!(text.contains("\"expected_total\": 849.10"));
    assert!(text.contains("\"code\": \"A-7\""));
    insta::assert_snapshot!(text);
}

#[test]
fn the_validate_body() {
    let req = sample_request();
    let body = mapping::cart_request(&req.cart, &req.context);
    insta::assert_snapshot!(serde_json::to_string_pretty(&body).unwrap());
}
