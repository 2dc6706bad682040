//! The engine against the real ProCart simulator on 127.0.0.1:0: menu, live pricing, and
//! checkouts through every outcome the customer can meet, asserted on both sides (what the
//! engine reports and what the simulated POS and terminal recorded).

mod support;

use std::sync::Arc;
use std::time::Duration;

use kiosk_core::cart::{Cart, CartLine, OrderType};
use kiosk_core::catalog::Catalog;
use kiosk_core::checkout::CheckoutState;
use kiosk_core::error::ErrorCode;
use kiosk_core::order::OrderStatus;
use kiosk_core::pricing::QuoteSource;
use kiosk_core::view::{CheckoutNotice, CheckoutResult};
use kiosk_engine::engine::{Engine, Timings};
use kiosk_engine::secrets::MemorySecrets;
use kiosk_engine::KioskConfig;
use pos_sim::PosKind;
use pos_sim::{Fault, FaultKind, PaymentOutcomeMode, SimConfig, SimServer};
use support::{demo_config, fast, has_required_choice, required_choices, spawn_pos};

struct Rig {
    sim: SimServer,
    engine: Arc<Engine>,
    _dir: tempfile::TempDir,
}

async fn rig() -> Rig {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (config, secrets) = demo_config(PosKind::Procart, &sim.url(), dir.path().to_path_buf());
    let engine = Engine::from_config(config, &secrets, fast()).unwrap();
    Rig {
        sim,
        engine,
        _dir: dir,
    }
}

/// An available dish with a required modifier group, with the modifiers that satisfy it.
fn dish_with_required(c: &Catalog) -> CartLine {
    let d = c
        .dishes
        .iter()
        .find(|d| d.availability.can_sell(1) && has_required_choice(c, d))
        .expect("the demo menu has no dish with a required modifier group");
    CartLine {
        dish: d.id.clone(),
        qty: 2,
        modifiers: required_choices(c, d),
        comment: Some("без лука".into()),
        combo: vec![],
    }
}

async fn cart(r: &Rig) -> Cart {
    let menu = r.engine.menu_view().await.unwrap();
    Cart {
        order_type: OrderType::Takeaway,
        lines: vec![dish_with_required(&menu.catalog)],
    }
}

async fn wait_state(r: &Rig, id: &str, want: CheckoutState) -> kiosk_core::view::OrderView {
    for _ in 0..200 {
        let v = r.engine.order_view(id).unwrap();
        if v.state == want {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "checkout {id} never reached {want:?}: {:?}",
        r.engine.order_view(id).unwrap()
    );
}

#[tokio::test]
async fn menu_comes_from_the_pos_with_faults_listed_and_a_snapshot_saved() {
    let r = rig().await;
    let menu = r.engine.menu_view().await.unwrap();
    assert!(
        menu.catalog.dishes.len() >= 60,
        "{} dishes",
        menu.catalog.dishes.len()
    );
    assert!(menu.sections.len() >= 8);
    assert!(menu.catalog.combos.len() >= 2);
    assert!(
        menu.cards.iter().any(|c| !c.availability.can_sell(1)),
        "some dishes are out of stock"
    );
    assert!(r._dir.path().join("menu-snapshot.json").exists());
    // A picture is fetched from the POS, checked and resized.
    let dish = &menu.catalog.dishes[0];
    let jpeg = r.engine.image("dish", &dish.id, "card").await.unwrap();
    let img = image::load_from_memory(&jpeg).unwrap();
    assert!(img.width() <= 480 && img.height() <= 360);
}

#[tokio::test]
async fn the_pos_prices_the_cart_and_a_paid_order_is_created_once() {
    let r = rig().await;
    let cart = cart(&r).await;
    let estimate = r.engine.estimate(1, cart.clone()).await.unwrap();
    assert_eq!(estimate.quote.source, QuoteSource::Estimate);
    assert!(estimate.problems.is_empty(), "{:?}", estimate.problems);
    let priced = r.engine.price(2, cart.clone()).await.unwrap();
    assert_eq!(priced.revision, 2);
    assert_eq!(priced.quote.source, QuoteSource::Pos);
    let total = priced.quote.total;

    let result = r
        .engine
        .checkout(cart, total, Arc::new(|_| {}))
        .await
        .unwrap();
    let CheckoutResult::Placed { order } = result else {
        panic!("{result:?}")
    };
    assert_eq!(order.state, CheckoutState::Posted);
    assert_eq!(order.total, total);

    let orders = r.sim.control().orders();
    assert_eq!(orders.len(), 1);
    let o = &orders[0];
    assert_eq!(o.total, total.decimal());
    assert_eq!(o.paid_sum, total.decimal());
    assert!(o.external_id.as_deref().unwrap().starts_with("demo-1-"));
    assert_eq!(order.number, o.order_number);
    assert!(o.short_comment.as_deref().unwrap().chars().count() <= 30);
    let payments = r.sim.control().payments();
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0].status, "approved");
    assert_eq!(payments[0].amount, total.to_string());

    // The POS prints the bill, then closes the order: the tracker follows both.
    r.engine.start_background();
    r.sim
        .control()
        .order_action(&o.guid, pos_sim::OrderAction::Precheck)
        .unwrap();
    let v = wait_state(&r, &order.checkout_id, CheckoutState::Tracking).await;
    assert_eq!(v.pos_status, Some(OrderStatus::Bill));
    r.sim
        .control()
        .order_action(&o.guid, pos_sim::OrderAction::Pay)
        .unwrap();
    wait_state(&r, &order.checkout_id, CheckoutState::Completed).await;
}

#[tokio::test]
async fn a_declined_payment_creates_no_order() {
    let r = rig().await;
    r.sim
        .control()
        .set_payment_outcome(PaymentOutcomeMode::Decline, 0);
    let cart = cart(&r).await;
    let total = r.engine.price(1, cart.clone()).await.unwrap().quote.total;
    let result = r
        .engine
        .checkout(cart, total, Arc::new(|_| {}))
        .await
        .unwrap();
    assert!(
        matches!(result, CheckoutResult::PaymentDeclined { .. }),
        "{result:?}"
    );
    assert!(r.sim.control().orders().is_empty());
}

#[tokio::test]
async fn a_price_change_before_paying_charges_nothing() {
    let r = rig().await;
    let cart = cart(&r).await;
    let total = r.engine.price(1, cart.clone()).await.unwrap().quote.total;
    let code: i64 = cart.lines[0].dish.parse().unwrap();
    r.sim
        .control()
        .set_price(code, total.decimal() + rust_decimal::Decimal::ONE_HUNDRED)
        .unwrap();
    let result = r
        .engine
        .checkout(cart, total, Arc::new(|_| {}))
        .await
        .unwrap();
    let CheckoutResult::PriceChanged { quote } = result else {
        panic!("{result:?}")
    };
    assert_ne!(quote.quote.total, total);
    assert!(r.sim.control().payments().is_empty());
    assert!(r.sim.control().orders().is_empty());
}

#[tokio::test]
async fn a_lost_answer_is_reconciled_not_posted_twice() {
    let r = rig().await;
    let cart = cart(&r).await;
    let total = r.engine.price(1, cart.clone()).await.unwrap().quote.total;
    r.sim.control().add_fault(Fault {
        times: Some(1),
        ..Fault::new("postorder", FaultKind::CommitThenDrop)
    });
    let result = r
        .engine
        .checkout(cart, total, Arc::new(|_| {}))
        .await
        .unwrap();
    let CheckoutResult::Placed { order } = result else {
        panic!("{result:?}")
    };
    // The customer is told the truth: paid, being sent.
    assert_eq!(order.state, CheckoutState::Posting);
    assert_eq!(order.notice, Some(CheckoutNotice::PaidSending));
    let v = wait_state(&r, &order.checkout_id, CheckoutState::Posted).await;
    assert_eq!(
        r.sim.control().orders().len(),
        1,
        "the order exists exactly once"
    );
    assert_eq!(
        v.pos_order_id.as_deref().map(str::to_ascii_uppercase),
        Some(r.sim.control().orders()[0].guid.to_ascii_uppercase())
    );
}

#[tokio::test]
async fn a_pos_that_is_down_gets_the_order_later_and_nothing_is_refunded() {
    let r = rig().await;
    let cart = cart(&r).await;
    let total = r.engine.price(1, cart.clone()).await.unwrap().quote.total;
    r.sim.control().add_fault(Fault {
        times: Some(4),
        ..Fault::new("postorder", FaultKind::ConnectionReset)
    });
    r.sim.control().add_fault(Fault {
        times: Some(2),
        ..Fault::new("getorders", FaultKind::HttpError)
    });
    let CheckoutResult::Placed { order } = r
        .engine
        .checkout(cart, total, Arc::new(|_| {}))
        .await
        .unwrap()
    else {
        panic!()
    };
    wait_state(&r, &order.checkout_id, CheckoutState::Posted).await;
    assert_eq!(r.sim.control().orders().len(), 1);
    let p = &r.sim.control().payments()[0];
    assert!(p.refunds.is_empty() && !p.reversed, "{p:?}");
}

#[tokio::test]
async fn a_refusal_after_payment_is_refunded_and_reported() {
    let r = rig().await;
    let cart = cart(&r).await;
    let total = r.engine.price(1, cart.clone()).await.unwrap().quote.total;
    // Sold out between the price check and the order: the POS refuses for good.
    r.sim.control().add_fault(Fault {
        status: Some(400),
        ..Fault::new("postorder", FaultKind::HttpError)
    });
    let CheckoutResult::Placed { order } = r
        .engine
        .checkout(cart, total, Arc::new(|_| {}))
        .await
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(order.state, CheckoutState::Refunded);
    assert!(matches!(
        order.notice,
        Some(CheckoutNotice::Refunded { .. })
    ));
    assert!(r.sim.control().orders().is_empty());
    let p = &r.sim.control().payments()[0];
    assert_eq!(p.refunds.len(), 1, "{p:?}");
}

#[tokio::test]
async fn a_cart_that_breaks_the_rules_is_refused_before_the_pos() {
    let r = rig().await;
    let mut cart = cart(&r).await;
    cart.lines[0].modifiers.clear();
    let err = r.engine.price(1, cart.clone()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::CartInvalid);
    assert!(!err.problems.is_empty());
    let est = r.engine.estimate(1, cart).await.unwrap();
    assert!(!est.problems.is_empty());
}

#[tokio::test]
async fn the_menu_survives_a_pos_outage_from_its_snapshot() {
    let r = rig().await;
    let before = r.engine.menu_view().await.unwrap();
    let dir = r._dir.path().to_path_buf();
    r.sim.stop().await;
    // A new kiosk process on the same data folder, with the POS gone.
    let config = KioskConfig::demo("http://127.0.0.1:9", dir);
    let engine =
        Engine::from_config(config, &MemorySecrets::with("pos-token", "x"), fast()).unwrap();
    let after = engine.menu_view().await.unwrap();
    assert_eq!(after.catalog, before.catalog);
    assert!(engine.menu.refresh().await.is_err());
    assert_eq!(
        engine.menu_view().await.unwrap().catalog,
        before.catalog,
        "a failed refresh keeps the last good menu"
    );
}

#[tokio::test]
async fn procart_notifications_update_the_order_and_garbage_is_refused() {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    sim.control()
        .update_settings(|s| s.callback_backoff_ms = vec![20, 50, 100]);
    let dir = tempfile::tempdir().unwrap();
    let mut config = KioskConfig::demo(&sim.url(), dir.path().to_path_buf());
    config.callbacks = Some(kiosk_engine::config::CallbackSection {
        listen: "127.0.0.1:0".into(),
        public_url: None,
    });
    // Polling so slow that only a notification can move the order within the test.
    let timings = Timings {
        track_every: Duration::from_secs(3600),
        ..fast()
    };
    let engine = Engine::from_config(
        config,
        &MemorySecrets::with("pos-token", pos_sim::DEMO_TOKEN),
        timings,
    )
    .unwrap();
    engine.start_background();
    let url = engine.callback_url.clone().unwrap();
    let r = Rig {
        sim,
        engine,
        _dir: dir,
    };
    let cart = cart(&r).await;
    let total = r.engine.price(1, cart.clone()).await.unwrap().quote.total;
    let CheckoutResult::Placed { order } = r
        .engine
        .checkout(cart, total, Arc::new(|_| {}))
        .await
        .unwrap()
    else {
        panic!()
    };
    let guid = r.sim.control().orders()[0].guid.clone();
    assert_eq!(
        r.sim.control().orders()[0].callback_url.as_deref(),
        Some(url.as_str())
    );

    r.sim
        .control()
        .order_action(&guid, pos_sim::OrderAction::Precheck)
        .unwrap();
    let v = wait_state(&r, &order.checkout_id, CheckoutState::Tracking).await;
    assert_eq!(v.pos_status, Some(OrderStatus::Bill));

    let http = reqwest::Client::new();
    let ext = r.engine.order_view(&order.checkout_id).unwrap();
    let _ = ext;
    // Garbage, a wrong secret, a late event and a forged id are all refused or ignored.
    let garbage = http.post(&url).body("{not json").send().await.unwrap();
    assert_eq!(garbage.status(), 400);
    let wrong = url.rsplit_once('/').unwrap().0.to_string() + "/0123456789abcdef0123456789abcdef";
    let resp = http.post(&wrong).body("{}").send().await.unwrap();
    assert_eq!(resp.status(), 404);
    let external_id = r.sim.control().orders()[0].external_id.clone().unwrap();
    let late = serde_json::json!({"guid": guid, "external_id": external_id, "status": "open", "total": 1.0});
    let resp = http.post(&url).json(&late).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("ignored"));
    let forged = serde_json::json!({"guid": "{00000000-0000-0000-0000-000000000000}", "external_id": external_id, "status": "close"});
    assert_eq!(
        http.post(&url).json(&forged).send().await.unwrap().status(),
        400
    );
    assert_eq!(
        r.engine.order_view(&order.checkout_id).unwrap().pos_status,
        Some(OrderStatus::Bill)
    );

    r.sim
        .control()
        .order_action(&guid, pos_sim::OrderAction::Pay)
        .unwrap();
    wait_state(&r, &order.checkout_id, CheckoutState::Completed).await;
}

/// Jupiter totals the paid order differently (an automatic discount): the order stays open in
/// Jupiter for staff, the money is not refunded behind their back, and the checkout says why.
#[tokio::test]
async fn a_total_mismatch_after_payment_goes_to_staff_without_a_refund() {
    let sim = spawn_pos(pos_sim::PosKind::Jupiter).await;
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/_sim/config", sim.url()))
        .json(&serde_json::json!({"discounts": [{"name": "Киоск -10%", "percent": "10", "source": "Киоск"}]}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let dir = tempfile::tempdir().unwrap();
    let (config, secrets) = demo_config(PosKind::Jupiter, &sim.url(), dir.path().to_path_buf());
    let engine = Engine::from_config(config, &secrets, fast()).unwrap();
    let menu = engine.menu_view().await.unwrap();
    let line = dish_with_required(&menu.catalog);
    let cart = Cart {
        order_type: OrderType::Takeaway,
        lines: vec![CartLine {
            qty: 1,
            comment: None,
            ..line
        }],
    };
    let total = engine.price(1, cart.clone()).await.unwrap().quote.total;
    let CheckoutResult::Placed { order } = engine
        .checkout(cart, total, Arc::new(|_| {}))
        .await
        .unwrap()
    else {
        panic!("not placed")
    };
    assert_eq!(order.state, CheckoutState::NeedsStaff);
    assert!(matches!(
        order.notice,
        Some(CheckoutNotice::AskStaff { .. })
    ));
    assert!(
        order.pos_order_id.is_some(),
        "staff see which POS order to settle"
    );
    let payments = sim.control().payments();
    assert_eq!(payments.len(), 1);
    assert!(
        payments[0].refunds.is_empty() && !payments[0].reversed,
        "{:?}",
        payments[0]
    );
}
