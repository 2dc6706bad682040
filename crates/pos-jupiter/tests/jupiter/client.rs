//! Every JPOS command, client against the simulator on loopback.

use kiosk_core::{Money, PosError};
use pos_jupiter::catalog::{build_menu, MenuOptions};
use pos_jupiter::order::build_order;
use pos_jupiter::pricing::price_cart;
use pos_jupiter::wire::{Order, RejectKind};
use pos_jupiter::{BodyMode, JupiterError, Secret};
use pos_sim::jupiter::KIOSK_USER;
use serde_json::json;

use crate::support::{cart, clock, line, roll_and_drink, Sim};

fn kiosk() -> Secret {
    Secret::new(KIOSK_USER)
}

const WAITER: &str = "4:1:0:15";

/// An order for the generated menu with the client's own ORDER_JSON builder.
async fn draft(sim: &Sim, uid: &str) -> Order {
    let client = sim.pos();
    let tt = client.client().get_tt().await.unwrap();
    let menu = build_menu(&tt, &MenuOptions::default());
    let priced = price_cart(&menu.catalog, Some(&menu), &roll_and_drink()).unwrap();
    let header = pos_jupiter::order::OrderHeader {
        vid: "На вынос".into(),
        source: "Киоск".into(),
        staff_name: "Киоск 1".into(),
    };
    use pos_jupiter::Clock;
    build_order(&priced, uid, "42", "42", &header, clock().now())
}

#[tokio::test]
async fn check_update_follows_the_settings_date() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let c = pos.client();
    assert!(c.check_update("").await.unwrap(), "nothing cached: update");
    let tt = c.get_tt().await.unwrap();
    let date = tt.menu.settings_date.clone();
    assert!(!c.check_update(&date).await.unwrap());
    sim.post(
        "/_sim/menu/price",
        json!({"uid": "3:1:0:1003", "price": "199.00"}),
    )
    .await;
    assert!(
        c.check_update(&date).await.unwrap(),
        "a menu edit moves the date on"
    );
    let tt2 = c.get_tt().await.unwrap();
    assert_ne!(tt2.menu.settings_date, date);
}

#[tokio::test]
async fn an_unregistered_server_id_is_a_bad_token() {
    let sim = Sim::start().await;
    let mut cfg = sim.config_for_tests();
    cfg.server_id = Secret::new("999");
    let pos = sim.pos_with(cfg);
    let e = pos.client().check_update("").await.unwrap_err();
    assert_eq!(e.reject_kind(), Some(RejectKind::UnknownServer));
    assert_eq!(PosError::from(e), PosError::BadToken);
    assert!(pos.client().get_tt().await.is_err());
}

#[tokio::test]
async fn get_tt_serves_the_menu_with_pictures_from_the_simulator() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let tt = pos.client().get_tt().await.unwrap();
    let menu = build_menu(&tt, &MenuOptions::default());
    let dish = menu.catalog.dish("3:1:0:1001").unwrap();
    let url = dish.image_url.clone().unwrap();
    assert!(url.starts_with(&sim.server.url()), "{url}");
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "a JPEG");
    assert!(
        menu.catalog.dish("3:1:0:1007").unwrap().image_url.is_none(),
        "every 7th has none"
    );
    assert!(menu.payment_types.iter().any(|p| p.uid == "2:1:0:31"));
}

#[tokio::test]
async fn get_user_id_logs_in_by_password_or_card() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let c = pos.client();
    let login = c.get_user_id(&Secret::new("1111")).await.unwrap();
    assert_eq!(login.user_id.expose(), KIOSK_USER);
    assert!(login.workday_id.is_some());
    let card = c
        .get_user_id(&Secret::new(";7001234567=0000?"))
        .await
        .unwrap();
    assert_eq!(card.user_id.expose(), WAITER);
    let e = c.get_user_id(&Secret::new("0000")).await.unwrap_err();
    assert_eq!(e.reject_kind(), Some(RejectKind::BadPassword));
    assert_eq!(
        format!("{:?}", login.user_id),
        "Secret(***)",
        "never printed"
    );
    sim.post("/_sim/workday", json!({"open": false})).await;
    let login = c.get_user_id(&Secret::new("1111")).await.unwrap();
    assert_eq!(login.workday_id, None, "no open workday: empty workday_id");
}

#[tokio::test]
async fn add_new_order_creates_merges_by_line_uid_and_closes() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let c = pos.client();
    let o = draft(&sim, "order-1").await;
    let back = c.add_new_order(&kiosk(), &o).await.unwrap();
    assert_eq!(back.uid, "order-1");
    assert_eq!(back.sum_fakt, Money::parse("407.50").unwrap());
    assert!(
        back.order_line.iter().all(|l| l.block_change.unwrap().0),
        "sent to the kitchen"
    );
    assert_eq!(
        back.order_line[0].modifiers().len(),
        3,
        "two automatic, one chosen"
    );
    assert_eq!(sim.prints().await.len(), 1);

    // The identical payload again: nothing new, nothing printed.
    let again = c.add_new_order(&kiosk(), &o).await.unwrap();
    assert_eq!(again.order_line.len(), 2);
    assert_eq!(sim.prints().await.len(), 1);

    // A new line uid is added and printed; a changed known line is ignored.
    let mut more = o.clone();
    more.order_line[1].quantity.0 = 5.into();
    let mut extra = o.order_line[1].clone();
    extra.uid = "99".into();
    more.order_line.push(extra);
    let merged = c.add_new_order(&kiosk(), &more).await.unwrap();
    assert_eq!(merged.order_line.len(), 3);
    assert_eq!(merged.order_line[1].quantity.0, 1.into());
    assert_eq!(merged.sum_fakt, Money::parse("599.00").unwrap());
    let prints = sim.prints().await;
    assert_eq!(prints.len(), 2);
    assert_eq!(prints[1]["lines"], json!(["99"]));

    // Closing with the payment.
    let payment = pos_jupiter::order::payment_row(
        "2:1:0:31",
        "Банковская карта",
        false,
        merged.sum_fakt,
        clock_now(),
    );
    let closing = pos_jupiter::order::closing_order(&merged, payment, clock_now());
    let closed = c.add_new_order(&kiosk(), &closing).await.unwrap();
    assert!(closed.is_closed());
    assert_eq!(closed.paid(), merged.sum_fakt);
    let admin = sim.order("order-1").await;
    assert_eq!(admin["closed"], true);
    assert_eq!(
        admin["order"]["order_payment"][0]["pay_type_uid"],
        "2:1:0:31"
    );

    // A closed order refuses new lines and replays otherwise.
    let mut late = closing.clone();
    let mut l = o.order_line[1].clone();
    l.uid = "100".into();
    late.order_line.push(l);
    let e = c.add_new_order(&kiosk(), &late).await.unwrap_err();
    assert!(matches!(PosError::from(e), PosError::Refused { .. }));
    assert!(c
        .add_new_order(&kiosk(), &closing)
        .await
        .unwrap()
        .is_closed());
}

fn clock_now() -> time::PrimitiveDateTime {
    use pos_jupiter::Clock;
    clock().now()
}

#[tokio::test]
async fn add_new_order_needs_an_open_workday_and_a_known_user() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let o = draft(&sim, "order-2").await;
    let e = pos
        .client()
        .add_new_order(&Secret::new("4:1:0:999"), &o)
        .await
        .unwrap_err();
    assert_eq!(e.reject_kind(), Some(RejectKind::UnknownUser));
    sim.post("/_sim/workday", json!({"open": false})).await;
    let e = pos.client().add_new_order(&kiosk(), &o).await.unwrap_err();
    assert_eq!(e.reject_kind(), Some(RejectKind::NoWorkday));
    assert!(matches!(PosError::from(e), PosError::CashServerDown(_)));
    assert!(sim.orders().await.is_empty());
}

#[tokio::test]
async fn print_bill_closes_the_goods_part() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let c = pos.client();
    let o = draft(&sim, "order-3").await;
    let billed = c.print_bill(&kiosk(), &o).await.unwrap();
    assert!(billed.block_change.0);
    let prints = sim.prints().await;
    assert_eq!(prints.iter().filter(|p| p["kind"] == "bill").count(), 1);
    assert_eq!(prints.iter().filter(|p| p["kind"] == "kitchen").count(), 1);
    let e = c.lock_order(&kiosk(), "order-3").await.unwrap_err();
    assert!(
        matches!(e, JupiterError::Rejected { ref message, .. } if message.contains("счет")),
        "{e:?}"
    );
    let mut more = o.clone();
    let mut l = o.order_line[1].clone();
    l.uid = "50".into();
    more.order_line.push(l);
    assert!(
        c.add_new_order(&kiosk(), &more).await.is_err(),
        "no new lines after the bill"
    );
}

#[tokio::test]
async fn get_closed_orders_lists_closed_ids_and_the_users_open_orders() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let c = pos.client();
    let open = draft(&sim, "open-1").await;
    c.add_new_order(&kiosk(), &open).await.unwrap();
    let done = draft(&sim, "done-1").await;
    let back = c.add_new_order(&kiosk(), &done).await.unwrap();
    let pay =
        pos_jupiter::order::payment_row("2:1:0:31", "Карта", false, back.sum_fakt, clock_now());
    c.add_new_order(
        &kiosk(),
        &pos_jupiter::order::closing_order(&back, pay, clock_now()),
    )
    .await
    .unwrap();
    // An order opened at the cash desk by a waiter: a Jupiter uid, not in the kiosk's list.
    let desk = sim
        .post(
            "/_sim/orders",
            json!({"owner": WAITER, "name": "7", "lines": [{"product_uid": "3:1:0:1002"}]}),
        )
        .await;
    let desk_uid = desk["uid"].as_str().unwrap().to_string();

    let asked = ["open-1", "done-1", "ghost"].map(String::from);
    let r = c.get_closed_orders(&kiosk(), &asked).await.unwrap();
    assert_eq!(r.closed_orders, vec!["done-1"]);
    let open_uids: Vec<&str> = r.open_orders.iter().map(|o| o.uid.as_str()).collect();
    assert_eq!(open_uids, vec!["open-1"]);
    assert_eq!(r.open_orders[0].name, "42");
    assert_eq!(r.open_orders[0].sum_fakt, Money::parse("407.50").unwrap());
    assert_eq!(r.open_orders[0].open_time, "12:05");

    let theirs = c
        .get_closed_orders(&Secret::new(WAITER), &[])
        .await
        .unwrap();
    assert_eq!(theirs.open_orders.len(), 1);
    assert_eq!(theirs.open_orders[0].uid, desk_uid);
    assert!(desk_uid.starts_with("5:2:0:"), "a Jupiter uid: {desk_uid}");
}

#[tokio::test]
async fn lock_order_returns_the_variant_and_locks_per_user() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let c = pos.client();
    let o = draft(&sim, "order-4").await;
    c.add_new_order(&kiosk(), &o).await.unwrap();

    let locked = c
        .lock_order(&kiosk(), "order-4")
        .await
        .unwrap()
        .expect("the order exists");
    assert!(locked.is_lock_variant());
    assert!(locked.kod.is_some());
    assert_eq!(locked.status.as_deref(), Some("open"));
    assert!(!locked.is_closed());
    assert_eq!(
        locked.order_line.len(),
        2 + 3,
        "modifiers flattened into lines"
    );
    assert_eq!(locked.sum_fakt, Money::parse("407.50").unwrap());
    // Locking again from the same user is fine; another user is refused.
    assert!(c.lock_order(&kiosk(), "order-4").await.unwrap().is_some());
    let e = c
        .lock_order(&Secret::new(WAITER), "order-4")
        .await
        .unwrap_err();
    assert!(matches!(PosError::from(e), PosError::Refused { .. }));
    let e = c.add_new_order(&Secret::new(WAITER), &o).await.unwrap_err();
    assert!(
        matches!(e, JupiterError::Rejected { .. }),
        "editing a locked order elsewhere"
    );
    assert_eq!(sim.order("order-4").await["locked_by"], KIOSK_USER);
    // Unlock: only the owner's unlock counts; then the other user may lock.
    c.unlock_order(&Secret::new(WAITER), "order-4")
        .await
        .unwrap();
    assert!(c.lock_order(&Secret::new(WAITER), "order-4").await.is_err());
    c.unlock_order(&kiosk(), "order-4").await.unwrap();
    assert!(c
        .lock_order(&Secret::new(WAITER), "order-4")
        .await
        .unwrap()
        .is_some());
    // An unknown order is a success without an order (S1).
    assert_eq!(c.lock_order(&kiosk(), "never-sent").await.unwrap(), None);
    c.unlock_order(&kiosk(), "never-sent").await.unwrap();
    // An unknown user is refused (S1's documented error).
    let e = c
        .unlock_order(&Secret::new("4:1:0:999"), "order-4")
        .await
        .unwrap_err();
    assert_eq!(e.reject_kind(), Some(RejectKind::UnknownUser));
}

#[tokio::test]
async fn a_cash_desk_order_locks_by_its_jupiter_uid() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let desk = sim
        .post("/_sim/orders", json!({"owner": WAITER, "name": "3", "lines": [{"product_uid": "3:1:0:1002", "quantity": "2"}]}))
        .await;
    let uid = desk["uid"].as_str().unwrap();
    let o = pos
        .client()
        .lock_order(&kiosk(), uid)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(o.uid, uid);
    assert_eq!(o.sum_fakt, Money::parse("205.80").unwrap());
}

#[tokio::test]
async fn add_client_to_order_applies_the_clients_discount() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let c = pos.client();
    let o = draft(&sim, "order-5").await;
    c.add_new_order(&kiosk(), &o).await.unwrap();
    let with = c
        .add_client_to_order(&kiosk(), "1234", "order-5")
        .await
        .unwrap();
    let client = with.client.clone().unwrap();
    assert_eq!(client.client_uid, "4:1:0:10221");
    assert_eq!(client.bonus, Money::from(100));
    assert_eq!(with.sum_rozn, Money::parse("407.50").unwrap());
    assert_eq!(with.sum_fakt, Money::parse("366.75").unwrap(), "10 %");
    assert_eq!(with.sum_skidki, Money::parse("40.75").unwrap());
    assert_eq!(with.order_discounts.len(), 1);
    let e = c
        .add_client_to_order(&kiosk(), "0000", "order-5")
        .await
        .unwrap_err();
    assert!(matches!(PosError::from(e), PosError::NotFound(_)));
    let e = c
        .add_client_to_order(&kiosk(), "1234", "never-sent")
        .await
        .unwrap_err();
    assert!(matches!(PosError::from(e), PosError::NotFound(_)));
}

#[tokio::test]
async fn the_form_field_framing_and_a_separate_order_url_work() {
    let sim = Sim::start().await;
    let mut cfg = sim.config_for_tests();
    cfg.body_mode = BodyMode::FormField("data".into());
    // Order commands to the other path of the same server.
    cfg.order_url = Some(format!("{}/", sim.server.url()));
    let pos = sim.pos_with(cfg);
    assert!(pos.client().check_update("").await.unwrap());
    let o = draft(&sim, "order-6").await;
    let back = pos.client().add_new_order(&kiosk(), &o).await.unwrap();
    assert_eq!(back.uid, "order-6");
}

#[tokio::test]
async fn bad_urls_are_configuration_errors() {
    let sim = Sim::start().await;
    let mut cfg = sim.config_for_tests();
    cfg.url = "not a url".into();
    assert!(matches!(
        pos_jupiter::JupiterPos::new(cfg),
        Err(JupiterError::Config(_))
    ));
}

#[tokio::test]
async fn the_simulator_accepts_both_server_id_spellings() {
    let sim = Sim::start().await;
    let a = sim
        .raw(json!({"command": "checkUpdate", "serverId": "25162093", "date_from_request": ""}))
        .await;
    assert_eq!(a["status"], "ok");
    let b = sim
        .raw(json!({"command": "getTT", "server_id": "25162093"}))
        .await;
    assert_eq!(b["status"], "ok");
    let c = sim.raw(json!({"command": "getTT"})).await;
    assert_eq!(c["status"], "error");
    let d = sim.raw(json!({"command": "bogus"})).await;
    assert_eq!(d["message"], "Неизвестная команда");
    let _ = cart(vec![line("x", 1, &[])]);
}

#[tokio::test]
async fn the_seed_menu_is_served_as_the_vendor_wrote_it() {
    let sim = Sim::seed().await;
    let pos = sim.pos();
    use kiosk_core::ports::Pos;
    let served = pos.menu().await.unwrap();
    let fixture = build_menu(
        &crate::support::gettt("gettt-seed.json"),
        &MenuOptions::default(),
    )
    .catalog;
    assert_eq!(served, fixture);
}

#[tokio::test]
async fn the_payment_simulator_is_served_next_to_jpos() {
    let sim = Sim::start().await;
    let created = sim
        .post(
            "/paysim/v1/payments",
            json!({"attempt_id": "att-1", "order_ref": "o-1", "amount": "407.50", "description": "Киоск"}),
        )
        .await;
    assert_eq!(created["attempt_id"], "att-1", "{created}");
    let listed = sim.get("/_sim/payments").await;
    assert_eq!(listed["payments"].as_array().unwrap().len(), 1);
    let faults = sim
        .post(
            "/_sim/faults",
            json!({"method": "getTT", "kind": "latency", "latency_ms": 1}),
        )
        .await;
    assert_eq!(faults["faults"].as_array().unwrap().len(), 1);
    let cleared = reqwest::Client::new()
        .delete(format!("{}/_sim/faults", sim.server.url()))
        .send()
        .await
        .unwrap();
    assert!(cleared.status().is_success());
    assert!(sim.get("/_sim/faults").await["faults"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_menu_can_be_replaced_through_the_admin_endpoint() {
    let sim = Sim::start().await;
    let pos = sim.pos();
    let before = pos.client().get_tt().await.unwrap().menu.settings_date;
    let seed = crate::support::fixture("gettt-seed.json");
    let r = reqwest::Client::new()
        .post(format!("{}/_sim/menu", sim.server.url()))
        .body(seed)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    assert!(pos.client().check_update(&before).await.unwrap());
    let tt = pos.client().get_tt().await.unwrap();
    let menu = build_menu(&tt, &MenuOptions::default());
    assert!(menu.catalog.dish("3:1:0:79").is_some(), "the seed's ХИТ");
    assert_ne!(
        tt.menu.settings_date, "2020-10-09 15:37:59",
        "replacing is an edit too"
    );
    assert_eq!(
        sim.get("/_sim/menu").await["menu"]["settingsDate"],
        tt.menu.settings_date
    );
    assert_eq!(sim.get("/_sim/workday").await["open"], true);
    assert_eq!(sim.get("/_sim/config").await["server_ids"][0], "25162093");
}
