//! The client under the simulator's fault injection and PHP quirks. Time-outs are short and
//! the simulator holds answers longer; no test sleeps.

use std::time::{Duration, Instant};

use kiosk_core::ports::Pos;
use kiosk_core::PosError;
use pos_jupiter::catalog::{build_menu, MenuOptions};
use pos_jupiter::JupiterError;
use serde_json::json;

use crate::support::Sim;

#[tokio::test]
async fn latency_is_waited_for_or_times_out() {
    let sim = Sim::start().await;
    sim.fault(json!({"method": "checkUpdate", "kind": "latency", "latency_ms": 150, "times": 1}))
        .await;
    let pos = sim.pos();
    let started = Instant::now();
    assert!(pos.client().check_update("").await.unwrap());
    assert!(started.elapsed() >= Duration::from_millis(150));

    sim.fault(json!({"method": "checkUpdate", "kind": "latency", "latency_ms": 5000, "times": 1}))
        .await;
    let mut cfg = sim.config_for_tests();
    cfg.request_timeout = Duration::from_millis(100);
    cfg.read_retries = 0;
    let e = sim
        .pos_with(cfg)
        .client()
        .check_update("")
        .await
        .unwrap_err();
    assert!(matches!(e, JupiterError::Timeout { .. }), "{e:?}");
    assert!(
        matches!(PosError::from(e), PosError::Timeout { operation } if operation == "checkUpdate")
    );
}

#[tokio::test]
async fn a_5xx_html_page_is_a_server_error_and_reads_are_retried() {
    let sim = Sim::start().await;
    sim.fault(json!({"method": "getTT", "kind": "http_error", "status": 502, "times": 1}))
        .await;
    let mut cfg = sim.config_for_tests();
    cfg.read_retries = 0;
    let e = sim.pos_with(cfg).client().get_tt().await.unwrap_err();
    assert!(
        matches!(&e, JupiterError::Http { status: 502, message, .. } if message.contains("nginx")),
        "{e:?}"
    );
    assert!(matches!(
        PosError::from(e),
        PosError::Server { status: 502, .. }
    ));

    sim.fault(json!({"method": "getTT", "kind": "http_error", "status": 500, "times": 2}))
        .await;
    let tt = sim.pos().client().get_tt().await.unwrap();
    assert!(
        !tt.menu.menu_sections.is_empty(),
        "the third attempt got through"
    );
}

#[tokio::test]
async fn order_commands_are_never_retried() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let catalog = pos.menu().await.unwrap();
    sim.fault(json!({"method": "add_new_order", "kind": "http_error", "status": 500, "times": 1}))
        .await;
    let req = kiosk_core::order::OrderRequest {
        cart: crate::support::roll_and_drink(),
        context: Default::default(),
        external_id: "r-1".into(),
        expected_total: kiosk_core::Money::parse("407.50").unwrap(),
        payment: None,
        comment: Some("no onions".into()),
        short_comment: None,
        callback_url: None,
    };
    let e = pos.place_order(&catalog, &req).await.unwrap_err();
    assert!(matches!(e, PosError::Server { status: 500, .. }), "{e:?}");
    assert!(e.outcome_unknown());
    assert!(
        sim.orders().await.is_empty(),
        "the 5xx did nothing and was not retried"
    );
    let placed = pos.place_order(&catalog, &req).await.unwrap();
    assert_eq!(
        placed.number.as_deref().map(str::len),
        Some(4),
        "a derived pickup number"
    );
}

#[tokio::test]
async fn a_reset_connection_is_unreachable_with_an_unknown_outcome() {
    let sim = Sim::start().await;
    sim.fault(json!({"method": "checkUpdate", "kind": "connection_reset", "times": 1}))
        .await;
    let mut cfg = sim.config_for_tests();
    cfg.read_retries = 0;
    let e = sim
        .pos_with(cfg)
        .client()
        .check_update("")
        .await
        .unwrap_err();
    let pe = PosError::from(e);
    assert!(matches!(pe, PosError::Unreachable(_)), "{pe:?}");
    assert!(pe.outcome_unknown());
}

#[tokio::test]
async fn a_hanging_server_times_out() {
    let sim = Sim::start().await;
    sim.fault(json!({"method": "get_closed_orders", "kind": "hang", "hang_ms": 30000, "times": 1}))
        .await;
    let mut cfg = sim.config_for_tests();
    cfg.request_timeout = Duration::from_millis(200);
    cfg.read_retries = 0;
    let pos = sim.pos_with(cfg);
    let e = pos.find_order("x").await.unwrap_err();
    assert!(matches!(e, PosError::Timeout { .. }), "{e:?}");
}

#[tokio::test]
async fn malformed_and_truncated_bodies_are_unreadable() {
    let sim = Sim::start().await;
    let mut cfg = sim.config_for_tests();
    cfg.read_retries = 0;
    let pos = sim.pos_with(cfg);
    sim.fault(json!({"method": "getTT", "kind": "malformed_json", "times": 1}))
        .await;
    let e = pos.client().get_tt().await.unwrap_err();
    assert!(matches!(e, JupiterError::Malformed { .. }), "{e:?}");
    assert!(PosError::from(e).outcome_unknown());
    sim.fault(json!({"method": "getTT", "kind": "truncated_body", "times": 1}))
        .await;
    let e = pos.client().get_tt().await.unwrap_err();
    assert!(
        matches!(
            e,
            JupiterError::Transport { .. } | JupiterError::Malformed { .. }
        ),
        "{e:?}"
    );
    assert!(PosError::from(e).outcome_unknown());
    assert!(
        pos.client().get_tt().await.is_ok(),
        "the faults were used up"
    );
}

#[tokio::test]
async fn commit_then_drop_commits() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let catalog = pos.menu().await.unwrap();
    sim.fault(json!({"method": "add_new_order", "kind": "commit_then_drop", "times": 1}))
        .await;
    let req = kiosk_core::order::OrderRequest {
        cart: crate::support::roll_and_drink(),
        context: Default::default(),
        external_id: "d-1".into(),
        expected_total: kiosk_core::Money::parse("407.50").unwrap(),
        payment: None,
        comment: None,
        short_comment: Some("7".into()),
        callback_url: None,
    };
    let e = pos.place_order(&catalog, &req).await.unwrap_err();
    assert!(e.outcome_unknown(), "{e:?}");
    assert_eq!(sim.orders().await.len(), 1, "Jupiter has the order");
    assert!(pos.find_order("d-1").await.unwrap().is_some());
}

#[tokio::test]
async fn jupiter_conditions_map_to_typed_errors() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let catalog = pos.menu().await.unwrap();
    sim.fault(json!({"method": "checkUpdate", "kind": "invalid_token", "times": 1}))
        .await;
    let e = pos.client().check_update("").await.unwrap_err();
    assert_eq!(PosError::from(e), PosError::BadToken);
    sim.fault(json!({"method": "add_new_order", "kind": "cash_server_down", "times": 1}))
        .await;
    let req = kiosk_core::order::OrderRequest {
        cart: crate::support::roll_and_drink(),
        context: Default::default(),
        external_id: "w-1".into(),
        expected_total: kiosk_core::Money::parse("407.50").unwrap(),
        payment: None,
        comment: None,
        short_comment: None,
        callback_url: None,
    };
    let e = pos.place_order(&catalog, &req).await.unwrap_err();
    assert!(matches!(e, PosError::CashServerDown(_)), "{e:?}");
}

#[tokio::test]
async fn php_quirks_do_not_change_what_the_client_sees() {
    let sim = Sim::start().await;
    let plain = sim.pos();
    let clean = build_menu(
        &plain.client().get_tt().await.unwrap(),
        &MenuOptions::default(),
    )
    .catalog;
    sim.config(json!({"quirks": {
        "php_noise": true, "escape_unicode": true, "client_as_array": true,
        "mixed_money_format": true, "numbers_as_strings": true
    }}))
    .await;
    let raw = reqwest::Client::new()
        .post(sim.jpos_url())
        .body(r#"{"command":"getTT","serverId":"25162093"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.headers()["content-type"], "text/html; charset=UTF-8");
    let text = raw.text().await.unwrap();
    assert!(text.starts_with('\u{feff}') && text.contains("Notice") && text.contains("\\u0"));

    let pos = sim.pos();
    let quirky = pos.menu().await.unwrap();
    assert_eq!(
        quirky, clean,
        "the same catalog from numbers-as-strings, escapes and noise"
    );
    let req = kiosk_core::order::OrderRequest {
        cart: crate::support::roll_and_drink(),
        context: Default::default(),
        external_id: "q-1".into(),
        expected_total: kiosk_core::Money::parse("407.50").unwrap(),
        payment: Some(kiosk_core::payment::PaymentRecord {
            tender: "2:1:0:31".into(),
            receipt: kiosk_core::payment::PaymentReceipt {
                provider: "paysim".into(),
                attempt_id: "a".into(),
                transaction_id: "t".into(),
                auth_code: None,
                card_mask: None,
                amount: kiosk_core::Money::parse("407.50").unwrap(),
                paid_at: "now".into(),
            },
        }),
        comment: None,
        short_comment: None,
        callback_url: None,
    };
    let placed = pos.place_order(&quirky, &req).await.unwrap();
    assert_eq!(placed.status, kiosk_core::order::OrderStatus::Closed);
    assert_eq!(placed.total, kiosk_core::Money::parse("407.50").unwrap());
    // Whole amounts came as "216" style strings and the empty client as [].
    let o = sim.order("q-1").await;
    assert_eq!(o["order"]["client"], json!([]));
}

#[tokio::test]
async fn relative_images_resolve_against_the_configured_base() {
    let sim = Sim::start().await;
    sim.config(json!({"quirks": {"relative_images": true}}))
        .await;
    let mut cfg = sim.config_for_tests();
    cfg.image_base_url = format!("{}/", sim.server.url());
    let pos = sim.pos_with(cfg);
    let catalog = pos.menu().await.unwrap();
    let url = catalog
        .dish("3:1:0:1002")
        .unwrap()
        .image_url
        .clone()
        .unwrap();
    assert_eq!(url, format!("{}/images/combo/2.jpg", sim.server.url()));
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_flapping_check_update_only_costs_a_refetch() {
    let sim = Sim::start().await;
    sim.config(json!({"quirks": {"check_update_flapping": true}}))
        .await;
    let pos = sim.pos();
    let a = pos.menu().await.unwrap();
    let b = pos.menu().await.unwrap();
    let c = pos.menu().await.unwrap();
    assert_eq!(a, b);
    assert_eq!(b, c);
}
