//! Decoding from fixture files: both ORDER_JSON shapes, every representation quirk, the
//! response envelope, and the amount parser under proptest. Snapshots show the decoded value
//! re-encoded the way the client sends it, so a change of contract shows up in review.

use kiosk_core::order::OrderStatus;
use kiosk_core::{Money, PosError};
use pos_jupiter::client::decode_response;
use pos_jupiter::wire::{self, Command, Order, RejectKind, Tax};
use pos_jupiter::JupiterError;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};

use crate::support::fixture;

fn order(name: &str) -> Order {
    serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn m(s: &str) -> Money {
    Money::parse(s).unwrap()
}

#[test]
fn the_vendor_sample_order_decodes() {
    let o = order("order-seed.json");
    assert_eq!(o.uid, "e52e8d81-631e-4615-b35f-c16cf7cc29ca");
    assert_eq!(
        (o.sum_rozn, o.sum_fakt, o.sum_skidki),
        (m("300"), m("270"), m("30"))
    );
    assert!(!o.is_closed());
    assert!(!o.is_lock_variant());
    let l = &o.order_line[0];
    assert!(l.block_change.unwrap().0);
    let md = &l.modifiers()[0];
    assert_eq!(md.product_code, None, "modifier rows leave out the code");
    assert_eq!(md.sum_fakt, m("45"));
    assert_eq!(o.client.as_ref().unwrap().bonus, m("100"));
    assert_eq!(o.paid(), m("270"));
    assert_eq!(o.order_payment[0].change, m("30"));
    insta::assert_json_snapshot!("order_seed", o);
}

#[test]
fn the_reference_order_is_closed_and_maps_to_a_pos_order() {
    let o = order("order-reference.json");
    assert!(o.is_closed());
    let p = pos_jupiter::order::to_pos_order(&o);
    assert_eq!(p.status, OrderStatus::Closed);
    assert_eq!((p.total, p.paid), (m("1094.40"), m("1094.40")));
    let q = p.quote.unwrap();
    assert_eq!(q.subtotal, m("1216.00"));
    assert_eq!(q.adjustments[0].amount, m("-121.60"));
    assert_eq!(
        q.lines[0].total,
        m("1216.00"),
        "line + modifiers before discounts"
    );
    insta::assert_json_snapshot!("order_reference", o);
}

#[test]
fn the_lock_variant_reads_with_the_same_decoder() {
    let o = order("order-lock-variant.json");
    assert!(o.is_lock_variant());
    assert_eq!(o.kod.as_deref(), Some("61234"));
    assert!(
        o.is_closed(),
        "closed by the inner status, close_date is empty"
    );
    assert_eq!(o.client, None, "PHP's [] is no client");
    assert_eq!(o.order_line.len(), 3, "modifiers come flattened as lines");
    assert!(o.order_line.iter().all(|l| l.selected_modifiers.is_none()));
    assert_eq!(o.order_payment[0].sum, m("1180.00"), "summa is the amount");
    assert_eq!(o.paid(), m("1180.00"));
    let p = pos_jupiter::order::to_pos_order(&o);
    assert_eq!(
        p.pos_order_id, "5:2:0:913377",
        "a Jupiter uid is kept as it is"
    );
    assert_eq!(p.status, OrderStatus::Closed);
    insta::assert_json_snapshot!("order_lock_variant", o);
}

#[test]
fn quirky_orders_decode() {
    let o = order("order-quirks.json");
    assert_eq!(o.uid, "11111");
    assert_eq!(o.num, "7");
    assert_eq!(o.hour, "9");
    assert_eq!(o.close_date, "", "the zero date is unset");
    assert!(!o.is_closed());
    assert_eq!(o.name, "");
    assert_eq!(o.sum_rozn, m("299.80"), "a float number keeps its literal");
    assert_eq!(o.sum_fakt, m("299.80"), "a decimal comma");
    assert_eq!(o.sum_skidki, Money::ZERO, "an empty string is zero");
    assert_eq!(o.client, None, "{{}} is no client");
    assert!(!o.block_change.0);
    let l = &o.order_line;
    assert_eq!(l[0].uid, "1");
    assert!(l[0].block_change.unwrap().0, "true is a flag too");
    assert_eq!(l[0].price_rozn, m("89.90"));
    assert_eq!(l[1].quantity.0, dec!(0.5));
    assert_eq!(l[1].selected_modifiers, None);
    assert_eq!(l[2].selected_modifiers, Some(vec![]));
    assert_eq!(l[1].extra["server_note"], "kept");
    assert_eq!(o.extra["jupiter_extra"], json!({"kept": true}));
    assert!(o.order_discounts.is_empty());
    assert!(!o.order_payment[0].cash.0, "\"no\" is false");
    assert_eq!(o.order_payment[0].change, Money::ZERO);
    insta::assert_json_snapshot!("order_quirks", o);
}

#[test]
fn orders_survive_a_round_trip_with_unknown_fields() {
    for name in [
        "order-seed.json",
        "order-reference.json",
        "order-lock-variant.json",
        "order-quirks.json",
    ] {
        let o = order(name);
        let text = serde_json::to_string(&o).unwrap();
        let back: Order = serde_json::from_str(&text).unwrap();
        assert_eq!(back, o, "{name}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(
            v["sum_fakt"].is_string(),
            "{name}: money goes out as a string"
        );
    }
}

#[test]
fn taxes_map_to_order_codes() {
    let tax = |v: Value| serde_json::from_value::<Tax>(v).unwrap();
    assert_eq!(tax(json!("no_tax")).order_code(), "0");
    assert_eq!(tax(json!(null)).order_code(), "0");
    assert_eq!(tax(json!("")).order_code(), "0");
    assert_eq!(tax(json!(10)).order_code(), "10");
    assert_eq!(tax(json!("20")).order_code(), "20");
    assert_eq!(tax(json!("20.00")).order_code(), "20");
    assert_eq!(tax(json!("НДС 18")), Tax::Other("НДС 18".into()));
}

#[test]
fn requests_use_each_commands_own_key_spelling() {
    let v = serde_json::to_value(wire::CheckUpdateRequest {
        command: Command::CheckUpdate.as_str(),
        server_id: "1",
        date_from_request: "",
    })
    .unwrap();
    assert_eq!(
        v,
        json!({"command": "checkUpdate", "server_id": "1", "date_from_request": ""})
    );
    let v = serde_json::to_value(wire::GetTtRequest {
        command: Command::GetTt.as_str(),
        server_id: "1",
    })
    .unwrap();
    assert_eq!(v, json!({"command": "getTT", "serverId": "1"}));
    let v = serde_json::to_value(wire::LockRequest {
        command: Command::LockOrder.as_str(),
        user_id: "4:1:0:14",
        order_uid: "o",
        server_id: None,
    })
    .unwrap();
    assert_eq!(
        v,
        json!({"command": "lock_order", "user_id": "4:1:0:14", "order_uid": "o"})
    );
    let v = serde_json::to_value(wire::GetClosedOrdersRequest {
        command: Command::GetClosedOrders.as_str(),
        server_id: "1",
        user_id: "u",
        orders: &[],
    })
    .unwrap();
    assert_eq!(
        v,
        json!({"command": "get_closed_orders", "serverId": "1", "user_id": "u", "orders": []})
    );
}

fn decode<T: serde::de::DeserializeOwned>(status: u16, body: &str) -> Result<T, JupiterError> {
    decode_response(Command::GetClosedOrders, status, body.as_bytes())
}

#[test]
fn envelopes_are_read_whatever_the_framing() {
    let ok = r#"{"status":"ok","closed_orders":["a"],"open_orders":[]}"#;
    let r: wire::ClosedOrdersResponse = decode(200, ok).unwrap();
    assert_eq!(r.closed_orders, vec!["a"]);
    // A BOM and a PHP notice before the JSON.
    let noisy = format!(
        "\u{feff}<br />\n<b>Notice</b>: Undefined index: x in <b>index.php</b><br />\n{ok}"
    );
    let r: wire::ClosedOrdersResponse = decode(200, &noisy).unwrap();
    assert_eq!(r.closed_orders, vec!["a"]);
    // Escaped Cyrillic and slashes, missing and null keys.
    let r: wire::ClosedOrdersResponse = decode(
        200,
        r#"{"status":"ok","open_orders":[{"uid":"x\/1","name":"\u0421\u0442\u043e\u043b","sum_fakt":270}],"closed_orders":null}"#,
    )
    .unwrap();
    assert!(r.closed_orders.is_empty());
    assert_eq!(r.open_orders[0].uid, "x/1");
    assert_eq!(r.open_orders[0].name, "Стол");
    assert_eq!(r.open_orders[0].sum_fakt, m("270"));
    let r: wire::ClosedOrdersResponse = decode(200, r#"{"status":"ok"}"#).unwrap();
    assert!(r.open_orders.is_empty());
}

#[test]
fn errors_are_typed() {
    let e = decode::<Value>(
        200,
        r#"{"status":"error","message":"Не найден открытый рабочий день"}"#,
    )
    .unwrap_err();
    assert_eq!(e.reject_kind(), Some(RejectKind::NoWorkday));
    assert!(matches!(PosError::from(e), PosError::CashServerDown(m) if m.contains("рабочий день")));
    // An error envelope with a real HTTP error status is still Jupiter's answer.
    let e = decode::<Value>(
        500,
        r#"{"status":"error","message":"SERVER_ID не зарегистрирован"}"#,
    )
    .unwrap_err();
    assert_eq!(PosError::from(e), PosError::BadToken);
    let e = decode::<Value>(
        200,
        r#"{"status":"error","message":"Пользователь с таким id не существует"}"#,
    )
    .unwrap_err();
    assert_eq!(PosError::from(e), PosError::BadToken);
    let e = decode::<Value>(
        200,
        r#"{"status":"error","message":"Пользователя с таким паролем не существует"}"#,
    )
    .unwrap_err();
    assert_eq!(e.reject_kind(), Some(RejectKind::BadPassword));
    let e = decode::<Value>(200, r#"{"status":"error","message":"Клиент не найден"}"#).unwrap_err();
    assert!(matches!(PosError::from(e), PosError::NotFound(_)));
    let e = decode::<Value>(
        200,
        r#"{"status":"error","message":"Заказ редактируется на другом рабочем месте"}"#,
    )
    .unwrap_err();
    let pe = PosError::from(e);
    assert!(matches!(&pe, PosError::Refused { reason } if reason.contains("рабочем месте")));
    assert!(pe.is_refusal());
    // A proxy's HTML page: a server failure whose outcome is unknown.
    let e = decode::<Value>(502, "<html><body><h1>502 Bad Gateway</h1></body></html>").unwrap_err();
    assert!(matches!(e, JupiterError::Http { status: 502, .. }));
    assert!(PosError::from(e).outcome_unknown());
    // 200 with garbage, a truncated object, an array, an empty body, an unknown status.
    for body in [
        "<b>Fatal error</b>",
        r#"{"status":"ok","closed_"#,
        "[1]",
        "",
        r#"{"status":"maybe"}"#,
    ] {
        let e = decode::<Value>(200, body).unwrap_err();
        assert!(
            matches!(e, JupiterError::Malformed { .. }),
            "{body:?}: {e:?}"
        );
        assert!(PosError::from(e).outcome_unknown());
    }
}

#[test]
fn lock_answers_without_an_order_are_none() {
    for body in [
        r#"{"status":"ok"}"#,
        r#"{"status":"ok","order":null}"#,
        r#"{"status":"ok","order":[]}"#,
    ] {
        let r: wire::LockResponse = decode(200, body).unwrap();
        assert_eq!(r.order, None, "{body}");
    }
    let with = format!(
        r#"{{"status":"ok","order":{}}}"#,
        fixture("order-lock-variant.json")
    );
    let r: wire::LockResponse = decode(200, &with).unwrap();
    assert!(r.order.unwrap().is_lock_variant());
}

#[test]
fn flags_read_every_flavour() {
    for (v, want) in [
        (json!(1), true),
        (json!(0), false),
        (json!("1"), true),
        (json!("0"), false),
        (json!("yes"), true),
        (json!("no"), false),
        (json!(true), true),
        (json!(""), false),
        (json!(null), false),
    ] {
        assert_eq!(wire::lenient::flag_of(&v), Ok(want), "{v}");
    }
    assert!(wire::lenient::flag_of(&json!("maybe")).is_err());
}

#[test]
fn form_encoding_is_reversible() {
    let json = r#"{"command":"getTT","serverId":"1","x":"а б&c=d+e%"}"#;
    let body = wire::form_encode("data", json);
    assert!(body.starts_with("data="));
    assert!(body.is_ascii());
    let decoded = percent_decode(body.trim_start_matches("data="));
    assert_eq!(decoded, json);
}

fn percent_decode(s: &str) -> String {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

proptest! {
    /// Every way Jupiter writes an amount reads back as the same exact kopecks.
    #[test]
    fn amounts_read_exactly_in_every_representation(k in -1_000_000_000i64..1_000_000_000i64) {
        let want = Money::from_minor(k);
        let text = want.to_string();
        let as_string = wire::lenient::money_of(&json!(text)).unwrap().unwrap();
        prop_assert_eq!(as_string, want);
        let number: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(wire::lenient::money_of(&number).unwrap().unwrap(), want);
        let comma = text.replace('.', ",");
        prop_assert_eq!(wire::lenient::money_of(&json!(comma)).unwrap().unwrap(), want);
        let padded = format!("  {text} ");
        prop_assert_eq!(wire::lenient::money_of(&json!(padded)).unwrap().unwrap(), want);
        if k % 100 == 0 {
            let whole = (k / 100).to_string();
            prop_assert_eq!(wire::lenient::money_of(&json!(whole)).unwrap().unwrap(), want);
            prop_assert_eq!(wire::lenient::money_of(&json!(k / 100)).unwrap().unwrap(), want);
        }
        // And an order carrying it round-trips through the client's own encoding.
        let o = Order { sum_fakt: want, ..Default::default() };
        let back: Order = serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
        prop_assert_eq!(back.sum_fakt, want);
    }

    /// Quantities the same way, including weighed ones.
    #[test]
    fn quantities_read_exactly(n in 0i64..10_000_000, scale in 0u32..4) {
        let want = Decimal::new(n, scale).normalize();
        let text = want.to_string();
        prop_assert_eq!(wire::lenient::decimal_of(&json!(text)).unwrap(), Some(want));
        let number: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(wire::lenient::decimal_of(&number).unwrap(), Some(want));
    }

    /// Nothing a server sends makes the decoders panic; garbage is an error, blank is none.
    #[test]
    fn arbitrary_text_never_panics(s in ".{0,40}") {
        let r = wire::lenient::money_of(&json!(s));
        if s.trim().is_empty() {
            prop_assert_eq!(r, Ok(None));
        }
        let _ = wire::lenient::decimal_of(&json!(s));
        let _ = wire::lenient::flag_of(&json!(s));
        let _ = wire::parse_body(s.as_bytes());
    }
}
