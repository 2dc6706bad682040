//! The `Pos` port over JPOS: ping, menu, local price, the pay-first and submit-first order
//! flows with reconciliation against Jupiter's totals, and order lookup by external id.

use kiosk_core::cart::OrderType;
use kiosk_core::order::{OrderContext, OrderRequest, OrderStatus};
use kiosk_core::payment::{PaymentReceipt, PaymentRecord};
use kiosk_core::ports::Pos;
use kiosk_core::pricing::QuoteSource;
use kiosk_core::{Money, PosError};
use pos_jupiter::{Secret, Strategy, UserCredentials};
use serde_json::json;

use crate::support::{roll_and_drink, Sim};

fn m(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn request(external_id: &str, paid: Option<&str>) -> OrderRequest {
    OrderRequest {
        cart: roll_and_drink(),
        context: OrderContext::default(),
        external_id: external_id.into(),
        expected_total: m(paid.unwrap_or("407.50")),
        payment: paid.map(|a| PaymentRecord {
            tender: "2:1:0:31".into(),
            receipt: PaymentReceipt {
                provider: "paysim".into(),
                attempt_id: format!("att-{external_id}"),
                transaction_id: "txn-1".into(),
                auth_code: Some("123456".into()),
                card_mask: Some("4111********1111".into()),
                amount: m(a),
                paid_at: "2024-03-04T12:06:00".into(),
            },
        }),
        comment: None,
        short_comment: Some("42".into()),
        callback_url: None,
    }
}

#[tokio::test]
async fn ping_reports_credentials_and_workday() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    assert_eq!(pos.kind(), "jupiter");
    // The server id and the password are secrets: never in a debug print (or a log line).
    let printed = format!("{pos:?} {:?}", sim.config_for_tests());
    assert!(!printed.contains("25162093"), "{printed}");
    assert!(printed.contains("Password(Secret(***))"), "{printed}");
    let info = pos.ping().await.unwrap();
    assert_eq!(info.pos, "jupiter");
    assert_eq!(info.token_valid, Some(true));
    assert_eq!(info.cash_server_available, Some(true));
    assert_eq!(info.source_name.as_deref(), Some("Киоск"));

    sim.post("/_sim/workday", json!({"open": false})).await;
    assert_eq!(pos.ping().await.unwrap().cash_server_available, Some(false));

    let mut cfg = sim.config_for_tests();
    cfg.server_id = Secret::new("1");
    let info = sim.pos_with(cfg).ping().await.unwrap();
    assert_eq!(
        info.token_valid,
        Some(false),
        "a rejected server id is reported, not an error"
    );
    assert!(info.licence_message.unwrap().contains("SERVER_ID"));

    let mut cfg = sim.config_for_tests();
    cfg.user = UserCredentials::Password(Secret::new("wrong"));
    assert_eq!(
        sim.pos_with(cfg).ping().await.unwrap().token_valid,
        Some(false)
    );

    let mut cfg = sim.config_for_tests();
    cfg.user = UserCredentials::UserId(Secret::new("4:1:0:14"));
    assert_eq!(
        sim.pos_with(cfg).ping().await.unwrap().token_valid,
        Some(true)
    );
}

#[tokio::test]
async fn an_unreachable_server_is_an_error() {
    let sim = Sim::start().await;
    let mut cfg = sim.config_for_tests();
    // A port nobody listens on: bind one and drop it.
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    cfg.url = format!("http://{free}/jpos/index.php");
    cfg.read_retries = 0;
    let e = sim.pos_with(cfg).ping().await.unwrap_err();
    assert!(matches!(e, PosError::Unreachable(_)), "{e:?}");
}

#[tokio::test]
async fn menu_uses_check_update_before_get_tt() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let first = pos.menu().await.unwrap();
    assert_eq!(first.version, "2024-03-01 10:15:00");
    // While the date is unchanged the cached menu comes back; after an edit, the new one.
    let cached = pos.cached_menu().unwrap();
    let again = pos.menu().await.unwrap();
    assert_eq!(again, first);
    assert!(
        std::sync::Arc::ptr_eq(&cached, &pos.cached_menu().unwrap()),
        "no getTT"
    );
    sim.post(
        "/_sim/menu/price",
        json!({"uid": "3:1:0:1003", "price": "199.00"}),
    )
    .await;
    let changed = pos.menu().await.unwrap();
    assert_ne!(changed.version, first.version);
    assert_eq!(changed.dish("3:1:0:1003").unwrap().price, m("199.00"));
}

#[tokio::test]
async fn price_is_a_local_estimate() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let catalog = pos.menu().await.unwrap();
    let q = pos
        .price(&catalog, &roll_and_drink(), &OrderContext::default())
        .await
        .unwrap();
    assert_eq!(q.source, QuoteSource::Estimate);
    assert_eq!(q.total, m("407.50"));
    // A fresh adapter (after a restart) with a catalog from disk fetches getTT for the weights.
    let fresh = sim.pos();
    let q = fresh
        .price(&catalog, &roll_and_drink(), &OrderContext::default())
        .await
        .unwrap();
    assert_eq!(q.total, m("407.50"));
}

#[tokio::test]
async fn pay_first_sends_then_closes_with_the_payment() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let catalog = pos.menu().await.unwrap();
    let placed = pos
        .place_order(&catalog, &request("ext-1", Some("407.50")))
        .await
        .unwrap();
    assert_eq!(placed.pos_order_id, "ext-1");
    assert_eq!(placed.external_id.as_deref(), Some("ext-1"));
    assert_eq!(placed.number.as_deref(), Some("42"));
    assert_eq!(placed.status, OrderStatus::Closed);
    assert_eq!((placed.total, placed.paid), (m("407.50"), m("407.50")));
    assert_eq!(placed.quote.unwrap().source, QuoteSource::Pos);

    let o = sim.order("ext-1").await;
    assert_eq!(o["closed"], true);
    assert_eq!(o["order"]["vid"], "На вынос");
    assert_eq!(o["order"]["source"], "Киоск");
    assert_eq!(o["order"]["waiter"], "Киоск 1");
    let pay = &o["order"]["order_payment"][0];
    assert_eq!(pay["pay_type_uid"], "2:1:0:31");
    assert_eq!(
        pay["name"], "Банковская карта",
        "named from getTT's payment types"
    );
    assert_eq!(pay["sum"], "407.50");
    assert_eq!(pay["cash"], "0");
    assert_eq!(sim.prints().await.len(), 1, "one kitchen ticket");

    // Placing the same request again changes nothing (a replay of a closed order).
    let again = pos
        .place_order(&catalog, &request("ext-1", Some("407.50")))
        .await
        .unwrap();
    assert_eq!(again.status, OrderStatus::Closed);
    assert_eq!(sim.orders().await.len(), 1);
    assert_eq!(sim.prints().await.len(), 1);

    let found = pos.find_order("ext-1").await.unwrap().unwrap();
    assert_eq!(
        (found.status, found.total),
        (OrderStatus::Closed, m("407.50"))
    );
}

#[tokio::test]
async fn a_charge_that_differs_from_the_menu_is_refused_before_sending() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let catalog = pos.menu().await.unwrap();
    let e = pos
        .place_order(&catalog, &request("ext-2", Some("400.00")))
        .await
        .unwrap_err();
    let PosError::PriceChanged { message } = e else {
        panic!("{e:?}")
    };
    assert!(
        message.contains("407.50") && message.contains("400.00"),
        "{message}"
    );
    assert!(sim.orders().await.is_empty(), "nothing reached Jupiter");
}

#[tokio::test]
async fn an_automatic_discount_after_payment_leaves_the_order_open() {
    let sim = Sim::start().await;
    sim.config(json!({"discounts": [{"name": "Киоск -10%", "percent": "10", "source": "Киоск"}]}))
        .await;
    let pos = sim.pos();
    let catalog = pos.menu().await.unwrap();
    let e = pos
        .place_order(&catalog, &request("ext-3", Some("407.50")))
        .await
        .unwrap_err();
    let PosError::TotalMismatch {
        pos_order_id,
        message,
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(pos_order_id, "ext-3");
    assert!(
        message.contains("366.75") && message.contains("407.50"),
        "{message}"
    );
    // Not a refusal: the order exists in Jupiter, so staff settle it rather than a refund.
    assert!(!e.is_refusal() && !e.outcome_unknown());
    let o = sim.order("ext-3").await;
    assert_eq!(o["closed"], false, "never closed with a different amount");
    assert_eq!(o["paid"], "0.00");
    let found = pos.find_order("ext-3").await.unwrap().unwrap();
    assert_eq!(
        (found.status, found.total, found.paid),
        (OrderStatus::Open, m("366.75"), Money::ZERO)
    );
}

#[tokio::test]
async fn a_price_edited_in_jupiter_after_payment_is_caught() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let catalog = pos.menu().await.unwrap();
    // The customer paid from the old menu; Jupiter now prices the drink higher.
    sim.post(
        "/_sim/menu/price",
        json!({"uid": "3:1:0:1003", "price": "200.00"}),
    )
    .await;
    let e = pos
        .place_order(&catalog, &request("ext-4", Some("407.50")))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, PosError::TotalMismatch { message, .. } if message.contains("416.00")),
        "{e:?}"
    );
    assert_eq!(sim.order("ext-4").await["closed"], false);
}

#[tokio::test]
async fn an_unpaid_order_stays_open() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let catalog = pos.menu().await.unwrap();
    let placed = pos
        .place_order(&catalog, &request("ext-5", None))
        .await
        .unwrap();
    assert_eq!(placed.status, OrderStatus::Open);
    assert_eq!(placed.paid, Money::ZERO);
    let found = pos.find_order("ext-5").await.unwrap().unwrap();
    assert_eq!(
        (found.status, found.total),
        (OrderStatus::Open, m("407.50"))
    );
    assert_eq!(found.number.as_deref(), Some("42"));
    assert_eq!(pos.find_order("never-sent").await.unwrap(), None);
}

#[tokio::test]
async fn submit_first_charges_jupiters_total_then_closes() {
    let sim = Sim::start().await;
    sim.config(json!({"discounts": [{"name": "Скидка 10%", "percent": "10"}]}))
        .await;
    let mut cfg = sim.config_for_tests();
    cfg.strategy = Strategy::SubmitFirst;
    let pos = sim.pos_with(cfg);
    let catalog = pos.menu().await.unwrap();
    let open = pos
        .place_order(&catalog, &request("ext-6", None))
        .await
        .unwrap();
    let quote = open.quote.unwrap();
    assert_eq!(
        quote.source,
        QuoteSource::Pos,
        "Jupiter's own total, to be charged"
    );
    assert_eq!((quote.subtotal, quote.total), (m("407.50"), m("366.75")));
    assert_eq!(quote.adjustments[0].amount, m("-40.75"));
    let closed = pos
        .place_order(&catalog, &request("ext-6", Some("366.75")))
        .await
        .unwrap();
    assert_eq!(closed.status, OrderStatus::Closed);
    assert_eq!(closed.paid, m("366.75"));
    assert_eq!(
        sim.prints().await.len(),
        1,
        "the second send printed nothing"
    );
}

#[tokio::test]
async fn a_lost_answer_is_reconciled_by_external_id() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let catalog = pos.menu().await.unwrap();
    sim.fault(json!({"method": "add_new_order", "kind": "commit_then_drop", "times": 1}))
        .await;
    let e = pos
        .place_order(&catalog, &request("ext-7", Some("407.50")))
        .await
        .unwrap_err();
    assert!(e.outcome_unknown(), "{e:?}");
    // The open send was committed: the lookup finds it open and unpaid…
    let found = pos.find_order("ext-7").await.unwrap().unwrap();
    assert_eq!((found.status, found.paid), (OrderStatus::Open, Money::ZERO));
    // …and placing the same request again finishes it without a duplicate.
    let placed = pos
        .place_order(&catalog, &request("ext-7", Some("407.50")))
        .await
        .unwrap();
    assert_eq!(placed.status, OrderStatus::Closed);
    assert_eq!(sim.orders().await.len(), 1);
    assert_eq!(sim.prints().await.len(), 1);
}

#[tokio::test]
async fn orders_reports_what_jupiter_knows() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let catalog = pos.menu().await.unwrap();
    pos.place_order(&catalog, &request("a", Some("407.50")))
        .await
        .unwrap();
    pos.place_order(&catalog, &request("b", None))
        .await
        .unwrap();
    let ids = ["a", "b", "ghost"].map(String::from);
    let orders = pos.orders(&ids).await.unwrap();
    assert_eq!(orders.len(), 2, "an unknown id is left out");
    assert_eq!(
        (orders[0].pos_order_id.as_str(), &orders[0].status),
        ("a", &OrderStatus::Closed)
    );
    assert_eq!(orders[0].paid, m("407.50"));
    assert_eq!(
        (orders[1].pos_order_id.as_str(), &orders[1].status),
        ("b", &OrderStatus::Open)
    );

    // Another process (no memory of the totals) still gets the statuses right.
    let other = sim.pos();
    let orders = other.orders(&ids).await.unwrap();
    assert_eq!(orders[0].status, OrderStatus::Closed);
    assert_eq!(orders[1].total, m("407.50"));

    // With no ids: what JPOS can list, the service user's open orders (also one opened at the
    // cash desk under the kiosk's user); the closed one is not among them.
    let desk = sim
        .post(
            "/_sim/orders",
            json!({"owner": "4:1:0:14", "name": "7", "lines": [{"product_uid": "3:1:0:1003"}]}),
        )
        .await;
    let desk_uid = desk["uid"].as_str().unwrap().to_string();
    let open = other.orders(&[]).await.unwrap();
    let mut ids: Vec<&str> = open.iter().map(|o| o.pos_order_id.as_str()).collect();
    ids.sort();
    let mut want = vec!["b", desk_uid.as_str()];
    want.sort();
    assert_eq!(ids, want);
    assert!(open.iter().all(|o| o.status == OrderStatus::Open));
    let desk_order = open.iter().find(|o| o.pos_order_id == desk_uid).unwrap();
    assert_eq!(desk_order.number.as_deref(), Some("7"));
}

#[tokio::test]
async fn no_workday_means_try_later_not_refund() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let catalog = pos.menu().await.unwrap();
    sim.post("/_sim/workday", json!({"open": false})).await;
    let e = pos
        .place_order(&catalog, &request("ext-8", Some("407.50")))
        .await
        .unwrap_err();
    assert!(matches!(e, PosError::CashServerDown(_)), "{e:?}");
    assert!(!e.is_refusal());
    assert!(sim.orders().await.is_empty());
    sim.post("/_sim/workday", json!({"open": true})).await;
    let placed = pos
        .place_order(&catalog, &request("ext-8", Some("407.50")))
        .await
        .unwrap();
    assert_eq!(placed.status, OrderStatus::Closed);
}

#[tokio::test]
async fn a_wrong_password_is_a_bad_token_and_nothing_is_sent() {
    let sim = Sim::start().await;
    let mut cfg = sim.config_for_tests();
    cfg.user = UserCredentials::Password(Secret::new("wrong"));
    let pos = sim.pos_with(cfg);
    let catalog = pos.menu().await.unwrap();
    let e = pos
        .place_order(&catalog, &request("ext-9", Some("407.50")))
        .await
        .unwrap_err();
    assert_eq!(e, PosError::BadToken);
    assert!(sim.orders().await.is_empty());
}

#[tokio::test]
async fn the_order_json_sent_is_stable() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let catalog = pos.menu().await.unwrap();
    let mut req = request("ext-10", None);
    req.cart.order_type = OrderType::EatIn;
    pos.place_order(&catalog, &req).await.unwrap();
    let menu = pos.cached_menu().unwrap();
    let priced = pos_jupiter::pricing::price_cart(&menu.catalog, Some(&menu), &req.cart).unwrap();
    let header = pos_jupiter::order::OrderHeader {
        vid: "Обычный заказ".into(),
        source: "Киоск".into(),
        staff_name: "Киоск 1".into(),
    };
    use pos_jupiter::Clock;
    let sent = pos_jupiter::order::build_order(
        &priced,
        "ext-10",
        "42",
        "42",
        &header,
        crate::support::clock().now(),
    );
    insta::assert_json_snapshot!("order_json_sent", sent);
    assert_eq!(sim.order("ext-10").await["order"]["vid"], "Обычный заказ");
}
