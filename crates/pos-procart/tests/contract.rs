//! Contract tests: the real client against the real ProCart simulator (`pos-sim`) over loopback
//! HTTP. The simulator writes its wire types independently from the reference, so a naming or
//! shape mistake on either side fails here. Every method and every error kind the adapter
//! distinguishes is exercised, the faults through the simulator's own fault injection (some via
//! its HTTP admin API, most via its Rust control handle, which drives the same code).

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kiosk_core::cart::{Cart, CartLine, ChosenModifier, ComboPick, OrderType};
use kiosk_core::catalog::{Availability, Badge, Catalog, FaultKind, UnavailableReason};
use kiosk_core::order::{OrderContext, OrderRequest, OrderStatus};
use kiosk_core::payment::{PaymentReceipt, PaymentRecord};
use kiosk_core::ports::Pos;
use kiosk_core::pricing::{AdjustmentKind, QuoteSource};
use kiosk_core::{Money, PosError};
use pos_procart::wire::{CloseRequest, PaymentRequest};
use pos_procart::{
    parse_callback, ProcartClient, ProcartConfig, ProcartPos, RetryPolicy, TokenPlacement, Verb,
};
use pos_sim::{Fault, FaultKind as SimFault, OrderAction, SimConfig, SimServer, DEMO_TOKEN};
use rust_decimal::Decimal;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

async fn sim() -> SimServer {
    pos_sim::spawn(SimConfig::default())
        .await
        .expect("the simulator starts")
}

fn config(sim: &SimServer, token: Option<&str>) -> ProcartConfig {
    let mut c = ProcartConfig::new(format!("{}/api/v3", sim.url()), token.map(str::to_string));
    // Fast back-off so retry tests stay quick; the bound is what matters.
    c.retries = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
    };
    c
}

fn pos(sim: &SimServer) -> ProcartPos {
    ProcartPos::new(config(sim, Some(DEMO_TOKEN))).unwrap()
}

fn money(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn line(dish: &str, qty: u32, mods: &[&str]) -> CartLine {
    CartLine {
        dish: dish.into(),
        qty,
        modifiers: mods
            .iter()
            .map(|m| ChosenModifier {
                id: m.to_string(),
                qty: 1,
            })
            .collect(),
        comment: None,
        combo: vec![],
    }
}

/// Two cheeseburgers with cheese sauce, and a "Лёгкий" combo (burger with ketchup, juice, pie).
fn cart() -> Cart {
    let mut burger = line("1001", 2, &["5003"]);
    burger.comment = Some("без лука".into());
    let mut combo = line("3003", 1, &[]);
    combo.combo = vec![
        ComboPick {
            slot: "321".into(),
            dish: "1002".into(),
            qty: 1,
            modifiers: vec![ChosenModifier {
                id: "5001".into(),
                qty: 1,
            }],
        },
        ComboPick {
            slot: "322".into(),
            dish: "1904".into(),
            qty: 1,
            modifiers: vec![],
        },
        ComboPick {
            slot: "323".into(),
            dish: "1707".into(),
            qty: 1,
            modifiers: vec![],
        },
    ];
    Cart {
        order_type: OrderType::EatIn,
        lines: vec![burger, combo],
    }
}

fn eat_in() -> OrderContext {
    OrderContext {
        order_category: Some("1".into()),
        ..OrderContext::default()
    }
}

fn takeaway() -> OrderContext {
    OrderContext {
        order_category: Some("2".into()),
        order_kind: None,
        table: None,
        guests: Some(1),
    }
}

fn empty_catalog() -> Catalog {
    Catalog {
        version: String::new(),
        sections: vec![],
        dishes: vec![],
        modifier_groups: vec![],
        combos: vec![],
        faults: vec![],
    }
}

fn order_request(
    cart: Cart,
    ctx: OrderContext,
    external_id: &str,
    total: Money,
    paid: Option<Money>,
) -> OrderRequest {
    OrderRequest {
        cart,
        context: ctx,
        external_id: external_id.into(),
        expected_total: total,
        payment: paid.map(|amount| PaymentRecord {
            tender: "5".into(),
            receipt: PaymentReceipt {
                provider: "paysim".into(),
                attempt_id: format!("att-{external_id}"),
                transaction_id: "RRN 123456789012".into(),
                auth_code: Some("A1B2C3".into()),
                card_mask: Some("220220******1234".into()),
                amount,
                paid_at: "2025-03-01T12:34:50".into(),
            },
        }),
        comment: Some(
            "Длинный комментарий: позвонить за 10 минут, домофон 45К, без звонка в дверь".into(),
        ),
        short_comment: Some("Киоск 1 / заказ №123 — без лука, с собой".into()),
        callback_url: None,
    }
}

/// Prices the cart and posts it, paid in full: the kiosk's happy path.
async fn place_paid(pos: &ProcartPos, external_id: &str) -> kiosk_core::order::PosOrder {
    let quote = pos
        .price(&empty_catalog(), &cart(), &eat_in())
        .await
        .unwrap();
    let req = order_request(
        cart(),
        eat_in(),
        external_id,
        quote.total,
        Some(quote.total),
    );
    pos.place_order(&empty_catalog(), &req).await.unwrap()
}

/// `POST /_sim/faults` through the simulator's HTTP admin API.
async fn inject_over_http(sim: &SimServer, fault: serde_json::Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/_sim/faults", sim.url()))
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success(),
        "fault not accepted: {}",
        r.status()
    );
}

// ---------------------------------------------------------------------------------------------
// /ping, token
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn ping_reports_versions_licence_and_token() {
    let sim = sim().await;
    let pos = pos(&sim);
    assert_eq!(pos.kind(), "procart");
    let info = pos.ping().await.unwrap();
    assert_eq!(info.pos, "procart");
    assert_eq!(info.gateway_version.as_deref(), Some("1.9.1.64"));
    assert_eq!(info.backend_version.as_deref(), Some("7.25.02.123"));
    assert_eq!(info.token_valid, Some(true));
    assert_eq!(info.licence_valid, Some(true));
    assert_eq!(info.cash_server_available, Some(true));
    assert!(info.source_name.is_some());
    pos.ready().await.unwrap();
    let raw = pos.client().ping().await.unwrap().raw;
    assert!(raw.get("server_time").is_some());
}

#[tokio::test]
async fn a_wrong_or_missing_token() {
    let sim = sim().await;
    let wrong = ProcartPos::new(config(&sim, Some("not-a-known-token"))).unwrap();
    let info = wrong.ping().await.unwrap();
    assert_eq!(info.token_valid, Some(false));
    assert_eq!(wrong.ready().await.unwrap_err(), PosError::BadToken);
    assert_eq!(wrong.menu().await.unwrap_err(), PosError::BadToken);
    let missing = ProcartPos::new(config(&sim, None)).unwrap();
    assert_eq!(missing.menu().await.unwrap_err(), PosError::BadToken);
    assert_eq!(
        missing
            .price(&empty_catalog(), &cart(), &eat_in())
            .await
            .unwrap_err(),
        PosError::BadToken
    );
}

#[tokio::test]
async fn every_token_placement_is_understood() {
    let sim = sim().await;
    let placements = [
        TokenPlacement::Header("token".into()),
        TokenPlacement::Header("X-Token".into()),
        TokenPlacement::Query("token".into()),
        TokenPlacement::Bearer,
        TokenPlacement::BodyField("token".into()),
    ];
    for p in placements {
        let mut c = config(&sim, Some(DEMO_TOKEN));
        c.token_placement = vec![p.clone()];
        // A body field needs a body: read the menu by POST for that case.
        c.verbs.getmenu = if matches!(p, TokenPlacement::BodyField(_)) {
            Verb::Post
        } else {
            Verb::Get
        };
        let pos = ProcartPos::new(c).unwrap();
        pos.menu().await.unwrap_or_else(|e| panic!("{p:?}: {e}"));
        pos.price(&empty_catalog(), &cart(), &eat_in())
            .await
            .unwrap_or_else(|e| panic!("{p:?}: {e}"));
    }
}

#[tokio::test]
async fn invalid_token_fault() {
    let sim = sim().await;
    sim.add_fault(Fault::new("*", SimFault::InvalidToken));
    let pos = pos(&sim);
    assert_eq!(pos.menu().await.unwrap_err(), PosError::BadToken);
    assert_eq!(pos.ping().await.unwrap().token_valid, Some(false));
}

// ---------------------------------------------------------------------------------------------
// /getmenu
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_demo_menu_maps_cleanly() {
    let sim = sim().await;
    let c = pos(&sim).menu().await.unwrap();
    assert_eq!(c.version, sim.menu_version());
    assert!(c.dishes.len() > 50);
    assert_eq!(c.combos.len(), 4);
    let bad: Vec<_> = c
        .faults
        .iter()
        .filter(|f| f.kind != FaultKind::MissingImage)
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    let burger = c.dish("1001").unwrap();
    assert_eq!(burger.price, money("189.90"));
    assert_eq!(burger.modifier_groups, vec!["1:11", "1:12", "1:13"]);
    assert!(burger.badges.contains(&Badge::Hit));
    assert_eq!(burger.portion.as_ref().unwrap().value, "180");
    assert!(burger.image_url.as_deref().unwrap().starts_with(&sim.url()));
    assert_eq!(
        c.dish("1008").unwrap().availability,
        Availability::OutOfStock {
            reason: UnavailableReason::StopList
        }
    );
    assert_eq!(
        c.dish("1010").unwrap().availability,
        Availability::Limited { remains: 5 }
    );
    let sauce = c.modifier_group("1:11").unwrap();
    assert_eq!((sauce.min, sauce.max), (1, Some(1)));
    let combo = c.combo("3001").unwrap();
    assert_eq!(combo.slots.len(), 3);
    assert_eq!(combo.slots[0].default_choice.as_deref(), Some("1001"));
    // The simulator's extra lists (order categories, currencies...) are kept in the raw answer.
    let a = pos(&sim).client().getmenu().await.unwrap();
    assert!(a.data.extra.contains_key("currencies"));
}

#[tokio::test]
async fn remains_follow_the_stop_list() {
    let sim = sim().await;
    let pos = pos(&sim);
    // Through the admin HTTP API, as an installer's script would.
    let r = reqwest::Client::new()
        .post(format!("{}/_sim/menu/remains", sim.url()))
        .json(&serde_json::json!({"code": 1001, "remains": 0}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let c = pos.menu().await.unwrap();
    assert!(!c.dish("1001").unwrap().availability.can_sell(1));
}

// ---------------------------------------------------------------------------------------------
// /validate
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_pos_prices_the_cart() {
    let sim = sim().await;
    let pos = pos(&sim);
    let q = pos
        .price(&empty_catalog(), &cart(), &eat_in())
        .await
        .unwrap();
    assert_eq!(q.source, QuoteSource::Pos);
    assert_eq!(q.lines.len(), 2);
    assert_eq!(q.lines[0].dish, "1001");
    assert_eq!(q.lines[0].qty, 2);
    assert_eq!(q.lines[0].unit_price, money("189.90"));
    assert!(q.lines[0].modifiers.iter().any(|m| m.id == "5003"));
    // The automatic 10 % combo discount comes back as a negative adjustment.
    let combo_discount = q
        .adjustments
        .iter()
        .find(|a| a.kind == AdjustmentKind::Discount)
        .expect("the auto combo discount");
    assert!(combo_discount.amount.is_negative() && combo_discount.auto);
    let adjustments: Money = q.adjustments.iter().map(|a| a.amount).sum();
    assert_eq!(q.subtotal + adjustments, q.total);
}

#[tokio::test]
async fn the_order_category_selects_prices_and_markups() {
    let sim = sim().await;
    let pos = pos(&sim);
    let soup = Cart {
        order_type: OrderType::Takeaway,
        lines: vec![line("1401", 1, &[])],
    };
    let here = pos.price(&empty_catalog(), &soup, &eat_in()).await.unwrap();
    let away = pos
        .price(&empty_catalog(), &soup, &takeaway())
        .await
        .unwrap();
    assert_eq!(here.lines[0].unit_price, money("229.90"));
    assert_eq!(away.lines[0].unit_price, money("249.90"));
    // The takeaway bag is an automatic markup: positive.
    let bag = away
        .adjustments
        .iter()
        .find(|a| a.kind == AdjustmentKind::Markup)
        .expect("the takeaway markup");
    assert!(bag.amount > Money::ZERO && bag.auto);
}

#[tokio::test]
async fn stop_list_and_remains_name_the_dish() {
    let sim = sim().await;
    let pos = pos(&sim);
    let stopped = Cart {
        order_type: OrderType::EatIn,
        lines: vec![line("1001", 1, &["5001"]), line("1008", 1, &["5001"])],
    };
    match pos
        .price(&empty_catalog(), &stopped, &eat_in())
        .await
        .unwrap_err()
    {
        PosError::DishUnavailable { dish, message } => {
            assert_eq!(dish.as_deref(), Some("1008"), "{message}");
        }
        e => panic!("{e:?}"),
    }
    let too_many = Cart {
        order_type: OrderType::EatIn,
        lines: vec![line("1010", 6, &["5001"])],
    };
    match pos
        .price(&empty_catalog(), &too_many, &eat_in())
        .await
        .unwrap_err()
    {
        PosError::DishUnavailable { dish, .. } => assert_eq!(dish.as_deref(), Some("1010")),
        e => panic!("{e:?}"),
    }
    // The same in the `valid: false` error mode of the reference.
    sim.update_settings(|s| s.error_mode = pos_sim::ErrorMode::ValidFalse);
    match pos
        .price(&empty_catalog(), &stopped, &eat_in())
        .await
        .unwrap_err()
    {
        PosError::DishUnavailable { dish, .. } => assert_eq!(dish.as_deref(), Some("1008")),
        e => panic!("{e:?}"),
    }
}

#[tokio::test]
async fn refusals_carry_the_pos_reason() {
    let sim = sim().await;
    let pos = pos(&sim);
    let unknown = Cart {
        order_type: OrderType::EatIn,
        lines: vec![line("999999", 1, &[])],
    };
    let e = pos
        .price(&empty_catalog(), &unknown, &eat_in())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, PosError::Refused { reason } if reason.contains("999999")),
        "{e:?}"
    );
    assert!(e.is_refusal());
    let no_sauce = Cart {
        order_type: OrderType::EatIn,
        lines: vec![line("1001", 1, &[])],
    };
    let e = pos
        .price(&empty_catalog(), &no_sauce, &eat_in())
        .await
        .unwrap_err();
    assert!(matches!(e, PosError::Refused { .. }), "{e:?}");
    let bad_category = OrderContext {
        order_category: Some("77".into()),
        ..OrderContext::default()
    };
    let e = pos
        .price(&empty_catalog(), &cart(), &bad_category)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, PosError::Refused { reason } if reason.contains("77")),
        "{e:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// /postorder, /getorders
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_paid_order_reaches_the_pos_with_all_its_data() {
    let sim = sim().await;
    let pos = pos(&sim);
    let quote = pos
        .price(&empty_catalog(), &cart(), &eat_in())
        .await
        .unwrap();
    let mut req = order_request(
        cart(),
        eat_in(),
        "kiosk-1-000001",
        quote.total,
        Some(quote.total),
    );
    req.callback_url = Some("http://127.0.0.1:9/cb".into());
    let order = pos.place_order(&empty_catalog(), &req).await.unwrap();
    assert!(!order.pos_order_id.is_empty());
    assert_eq!(order.external_id.as_deref(), Some("kiosk-1-000001"));
    assert_eq!(order.total, quote.total);
    assert_eq!(order.paid, quote.total);
    assert!(order.number.is_some());
    assert_eq!(order.status, OrderStatus::Open);
    assert_eq!(order.quote.as_ref().unwrap().total, quote.total);

    let snapshot = sim.orders().into_iter().next().unwrap();
    assert_eq!(snapshot.guid, order.pos_order_id);
    assert_eq!(
        snapshot.short_comment.as_deref().map(|s| s.chars().count()),
        Some(30)
    );
    assert!(snapshot
        .comment
        .as_deref()
        .unwrap()
        .starts_with("Длинный комментарий"));
    assert_eq!(
        snapshot.callback_url.as_deref(),
        Some("http://127.0.0.1:9/cb")
    );
    let payment = &snapshot.detail["payments"][0];
    assert_eq!(payment["currency_code"], 5);
    assert_eq!(payment["transaction_id"], "RRN 123456789012");
    assert_eq!(payment["auth_code"], "A1B2C3");
    assert_eq!(payment["card_mask"], "220220******1234");
    assert_eq!(payment["paid_at"], "2025-03-01T12:34:50");
    let burger = &snapshot.detail["items"][0];
    assert!(
        burger["comment"] == "без лука" || burger["modifiers"].to_string().contains("без лука")
    );
}

#[tokio::test]
async fn a_changed_price_is_refused_before_anything_is_created() {
    let sim = sim().await;
    let pos = pos(&sim);
    let quote = pos
        .price(&empty_catalog(), &cart(), &eat_in())
        .await
        .unwrap();
    // The price went up between /validate and /postorder.
    sim.set_price(1001, Decimal::new(19990, 2)).unwrap();
    let req = order_request(
        cart(),
        eat_in(),
        "kiosk-1-000002",
        quote.total,
        Some(quote.total),
    );
    let e = pos.place_order(&empty_catalog(), &req).await.unwrap_err();
    assert!(matches!(e, PosError::PriceChanged { .. }), "{e:?}");
    assert!(e.is_refusal() && !e.outcome_unknown());
    assert!(sim.orders().is_empty());
}

#[tokio::test]
async fn a_short_payment_is_a_price_mismatch() {
    let sim = sim().await;
    let pos = pos(&sim);
    let quote = pos
        .price(&empty_catalog(), &cart(), &eat_in())
        .await
        .unwrap();
    let mut req = order_request(
        cart(),
        eat_in(),
        "kiosk-1-000003",
        quote.total,
        Some(quote.total - money("10")),
    );
    req.expected_total = quote.total;
    let e = pos.place_order(&empty_catalog(), &req).await.unwrap_err();
    assert!(matches!(e, PosError::PriceChanged { .. }), "{e:?}");
    assert!(sim.orders().is_empty());
}

#[tokio::test]
async fn orders_are_found_by_external_id_and_by_guid() {
    let sim = sim().await;
    let pos = pos(&sim);
    let a = place_paid(&pos, "kiosk-1-000010").await;
    let b = place_paid(&pos, "kiosk-1-000011").await;
    let found = pos.find_order("kiosk-1-000010").await.unwrap().unwrap();
    assert_eq!(found.pos_order_id, a.pos_order_id);
    assert_eq!(pos.find_order("kiosk-1-999999").await.unwrap(), None);

    let both = pos
        .orders(&[
            a.pos_order_id.clone(),
            b.pos_order_id.clone(),
            "{00000000-0000-0000-0000-000000000000}".into(),
        ])
        .await
        .unwrap();
    assert_eq!(both.len(), 2);
    let recent = pos.orders(&[]).await.unwrap();
    assert_eq!(recent.len(), 2);

    // The GET form of /getorders works too, and a single unknown GUID is a 404 there.
    let mut c = config(&sim, Some(DEMO_TOKEN));
    c.verbs.getorders = Verb::Get;
    let get = ProcartPos::new(c).unwrap();
    assert_eq!(
        get.orders(std::slice::from_ref(&b.pos_order_id))
            .await
            .unwrap()[0]
            .pos_order_id,
        b.pos_order_id
    );
    assert_eq!(
        get.find_order("kiosk-1-000011")
            .await
            .unwrap()
            .unwrap()
            .pos_order_id,
        b.pos_order_id
    );
    assert!(matches!(
        get.orders(&["{00000000-0000-0000-0000-000000000000}".into()])
            .await,
        Err(PosError::NotFound(_))
    ));
}

#[tokio::test]
async fn statuses_follow_the_pos() {
    let sim = sim().await;
    let pos = pos(&sim);
    let o = place_paid(&pos, "kiosk-1-000020").await;
    let status = |pos: ProcartPos, guid: String| async move {
        pos.orders(&[guid]).await.unwrap().remove(0).status
    };
    // Through the admin HTTP API: POST /_sim/orders/{guid}/precheck.
    let r = reqwest::Client::new()
        .post(format!(
            "{}/_sim/orders/{}/precheck",
            sim.url(),
            o.pos_order_id
        ))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    assert_eq!(
        status(pos.clone(), o.pos_order_id.clone()).await,
        OrderStatus::Bill
    );
    sim.order_action(&o.pos_order_id, OrderAction::Pay).unwrap();
    assert_eq!(
        status(pos.clone(), o.pos_order_id.clone()).await,
        OrderStatus::Closed
    );
    let d = place_paid(&pos, "kiosk-1-000021").await;
    sim.order_action(&d.pos_order_id, OrderAction::Delete)
        .unwrap();
    assert_eq!(
        status(pos.clone(), d.pos_order_id.clone()).await,
        OrderStatus::Deleted
    );
}

// ---------------------------------------------------------------------------------------------
// /close, /internal/print_info
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_unpaid_order_is_closed_later() {
    let sim = sim().await;
    let pos = pos(&sim);
    let quote = pos
        .price(&empty_catalog(), &cart(), &eat_in())
        .await
        .unwrap();
    let req = order_request(cart(), eat_in(), "kiosk-1-000030", quote.total, None);
    let o = pos.place_order(&empty_catalog(), &req).await.unwrap();
    assert_eq!(o.paid, Money::ZERO);
    let close = CloseRequest {
        guid: o.pos_order_id.clone(),
        payments: vec![PaymentRequest {
            currency_code: "1".into(),
            amount: quote.total,
            transaction_id: Some("cash".into()),
            auth_code: None,
            card_mask: None,
            paid_at: None,
        }],
    };
    let closed = pos.client().close(&close).await.unwrap();
    assert_eq!(
        pos_procart::mapping::order(&closed.data).unwrap().status,
        OrderStatus::Closed
    );
    // Closing twice is a refusal (INVALID_STATE); an unknown GUID is not found.
    assert!(matches!(
        pos.client().close(&close).await,
        Err(PosError::Refused { .. })
    ));
    let unknown = CloseRequest {
        guid: "{00000000-0000-0000-0000-000000000000}".into(),
        payments: vec![],
    };
    assert!(matches!(
        pos.client().close(&unknown).await,
        Err(PosError::NotFound(_))
    ));
}

#[tokio::test]
async fn print_info_returns_the_long_comment_as_text_or_json() {
    let sim = sim().await;
    let pos = pos(&sim);
    let o = place_paid(&pos, "kiosk-1-000040").await;
    // Plain text by default (the simulator's default format)...
    let text = pos.client().print_info(&o.pos_order_id).await.unwrap();
    assert!(text.comment.starts_with("Длинный комментарий"));
    assert!(text.json.is_none());
    // ...JSON when the gateway answers JSON...
    sim.update_settings(|s| s.print_info_format = pos_sim::PrintInfoFormat::Json);
    let json = pos.client().print_info(&o.pos_order_id).await.unwrap();
    assert_eq!(json.comment, text.comment);
    assert!(json.json.is_some());
    // ...without a token, and as POST with the GUID in the body.
    let mut c = config(&sim, None);
    c.print_info_token = false;
    c.verbs.print_info = Verb::Post;
    let post = ProcartClient::new(c).unwrap();
    assert_eq!(
        post.print_info(&o.pos_order_id).await.unwrap().comment,
        text.comment
    );
    assert!(matches!(
        pos.client()
            .print_info("{00000000-0000-0000-0000-000000000000}")
            .await,
        Err(PosError::NotFound(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn licence_expired() {
    let sim = sim().await;
    inject_over_http(
        &sim,
        serde_json::json!({"method": "*", "kind": "licence_expired"}),
    )
    .await;
    let pos = pos(&sim);
    assert!(matches!(pos.menu().await, Err(PosError::NoLicence(_))));
    assert!(matches!(
        pos.price(&empty_catalog(), &cart(), &eat_in()).await,
        Err(PosError::NoLicence(_))
    ));
    let info = pos.ping().await.unwrap();
    assert_eq!(info.licence_valid, Some(false));
    assert!(info.licence_message.is_some());
    assert!(matches!(pos.ready().await, Err(PosError::NoLicence(_))));
}

#[tokio::test]
async fn cash_server_down() {
    let sim = sim().await;
    sim.add_fault(Fault::new("*", SimFault::CashServerDown));
    let pos = pos(&sim);
    assert!(matches!(pos.menu().await, Err(PosError::CashServerDown(_))));
    assert!(matches!(
        pos.find_order("x").await,
        Err(PosError::CashServerDown(_))
    ));
    assert_eq!(pos.ping().await.unwrap().cash_server_available, Some(false));
    assert!(matches!(
        pos.ready().await,
        Err(PosError::CashServerDown(_))
    ));
}

#[tokio::test]
async fn server_errors_are_retried_for_reads_only() {
    let sim = sim().await;
    let pos = pos(&sim);
    // Two 500s, then success: within the retry budget of a read.
    sim.add_fault(
        Fault::new("getmenu", SimFault::HttpError)
            .status(500)
            .times(2),
    );
    pos.menu().await.unwrap();
    // Three 502s exceed it.
    sim.add_fault(
        Fault::new("getmenu", SimFault::HttpError)
            .status(502)
            .times(3),
    );
    assert!(matches!(
        pos.menu().await,
        Err(PosError::Server { status: 502, .. })
    ));
    sim.clear_faults();
    // One 500 on /postorder: not retried, so it fails, and nothing was created.
    let quote = pos
        .price(&empty_catalog(), &cart(), &eat_in())
        .await
        .unwrap();
    sim.add_fault(
        Fault::new("postorder", SimFault::HttpError)
            .status(500)
            .times(1),
    );
    let req = order_request(
        cart(),
        eat_in(),
        "kiosk-1-000050",
        quote.total,
        Some(quote.total),
    );
    let e = pos.place_order(&empty_catalog(), &req).await.unwrap_err();
    assert!(matches!(e, PosError::Server { status: 500, .. }), "{e:?}");
    assert!(e.outcome_unknown());
    assert!(sim.orders().is_empty());
}

#[tokio::test]
async fn connection_resets() {
    let sim = sim().await;
    let pos = pos(&sim);
    // A read survives one reset.
    sim.add_fault(Fault::new("getorders", SimFault::ConnectionReset).times(1));
    pos.orders(&[]).await.unwrap();
    // /postorder does not retry: the order may or may not exist, the caller decides.
    let quote = pos
        .price(&empty_catalog(), &cart(), &eat_in())
        .await
        .unwrap();
    sim.add_fault(Fault::new("postorder", SimFault::ConnectionReset).times(1));
    let req = order_request(
        cart(),
        eat_in(),
        "kiosk-1-000060",
        quote.total,
        Some(quote.total),
    );
    let e = pos.place_order(&empty_catalog(), &req).await.unwrap_err();
    assert!(matches!(e, PosError::Unreachable(_)), "{e:?}");
    assert!(e.outcome_unknown());
    assert!(sim.orders().is_empty());
    assert_eq!(pos.find_order("kiosk-1-000060").await.unwrap(), None);
}

#[tokio::test]
async fn timeouts_name_the_operation() {
    let sim = sim().await;
    let mut c = config(&sim, Some(DEMO_TOKEN));
    c.timeouts.validate = Duration::from_millis(300);
    let pos = ProcartPos::new(c).unwrap();
    sim.add_fault(
        Fault::new("validate", SimFault::Hang)
            .hang_ms(5_000)
            .times(1),
    );
    let e = pos
        .price(&empty_catalog(), &cart(), &eat_in())
        .await
        .unwrap_err();
    assert_eq!(
        e,
        PosError::Timeout {
            operation: "validate".into()
        }
    );
}

#[tokio::test]
async fn malformed_and_truncated_answers() {
    let sim = sim().await;
    let pos = pos(&sim);
    sim.add_fault(Fault::new("getmenu", SimFault::MalformedJson).times(1));
    assert!(matches!(pos.menu().await, Err(PosError::Malformed(_))));
    sim.add_fault(Fault::new("postorder", SimFault::MalformedJson).times(1));
    let quote = pos
        .price(&empty_catalog(), &cart(), &eat_in())
        .await
        .unwrap();
    let req = order_request(
        cart(),
        eat_in(),
        "kiosk-1-000065",
        quote.total,
        Some(quote.total),
    );
    let e = pos.place_order(&empty_catalog(), &req).await.unwrap_err();
    assert!(
        matches!(e, PosError::Malformed(_)) && e.outcome_unknown(),
        "{e:?}"
    );
    assert!(pos.find_order("kiosk-1-000065").await.unwrap().is_some());
    // The simulator sends the headers with the full length and half of the body, then closes:
    // the client must call that malformed (its outcome unknown), never a parsed answer.
    sim.add_fault(Fault::new("validate", SimFault::TruncatedBody).times(1));
    let e = pos
        .price(&empty_catalog(), &cart(), &eat_in())
        .await
        .unwrap_err();
    assert!(
        matches!(e, PosError::Malformed(_) | PosError::Unreachable(_)) && e.outcome_unknown(),
        "{e:?}"
    );
}

/// A one-trick HTTP server: every request gets `respond(request head)` written back verbatim,
/// then the connection is closed. For answers the simulator cannot produce.
async fn raw_server(respond: fn(&str) -> Vec<u8>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/v3", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).to_string();
                let _ = socket.write_all(&respond(&head)).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    url
}

#[tokio::test]
async fn a_body_cut_short_is_malformed() {
    let url = raw_server(|_| {
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\nconnection: close\r\n\r\n{\"menu_version\":\"v1\",\"dishes\":[{\"code\":1".to_vec()
    })
    .await;
    let mut c = ProcartConfig::new(url, Some("raw-server-token".into()));
    c.retries = RetryPolicy::none();
    let e = ProcartPos::new(c).unwrap().menu().await.unwrap_err();
    assert!(
        matches!(&e, PosError::Malformed(m) if m.contains("cut off")),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_get_refused_with_405_is_retried_as_post() {
    let url = raw_server(|head| {
        if head.starts_with("GET") {
            b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec()
        } else {
            let body = r#"{"procart_version":"1.9.1.64","token_valid":true}"#;
            format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).into_bytes()
        }
    })
    .await;
    let pos = ProcartPos::new(ProcartConfig::new(url, Some("raw-server-token".into()))).unwrap();
    assert_eq!(
        pos.ping().await.unwrap().gateway_version.as_deref(),
        Some("1.9.1.64")
    );
}

#[tokio::test]
async fn a_lost_postorder_answer_is_reconciled_by_external_id() {
    let sim = sim().await;
    let pos = pos(&sim);
    let quote = pos
        .price(&empty_catalog(), &cart(), &eat_in())
        .await
        .unwrap();
    let req = order_request(
        cart(),
        eat_in(),
        "kiosk-1-000070",
        quote.total,
        Some(quote.total),
    );

    // The order is committed, then the connection drops before the answer.
    inject_over_http(
        &sim,
        serde_json::json!({"method": "postorder", "kind": "commit_then_drop", "times": 1}),
    )
    .await;
    let e = pos.place_order(&empty_catalog(), &req).await.unwrap_err();
    assert!(e.outcome_unknown(), "{e:?}");
    assert_eq!(sim.orders().len(), 1);
    let found = pos
        .find_order("kiosk-1-000070")
        .await
        .unwrap()
        .expect("the order exists");
    assert_eq!(found.pos_order_id, sim.orders()[0].guid);
    assert_eq!(found.paid, quote.total);

    // The same with a hang: a timeout, then the same reconciliation.
    let mut c = config(&sim, Some(DEMO_TOKEN));
    // Long enough for the order to be committed even on a loaded CI machine.
    c.timeouts.postorder = Duration::from_millis(1_500);
    let short = ProcartPos::new(c).unwrap();
    sim.add_fault(
        Fault::new("postorder", SimFault::CommitThenHang)
            .hang_ms(5_000)
            .times(1),
    );
    let req2 = order_request(
        cart(),
        eat_in(),
        "kiosk-1-000071",
        quote.total,
        Some(quote.total),
    );
    let e = short
        .place_order(&empty_catalog(), &req2)
        .await
        .unwrap_err();
    assert!(
        matches!(e, PosError::Timeout { .. }) && e.outcome_unknown(),
        "{e:?}"
    );
    let found = short
        .find_order("kiosk-1-000071")
        .await
        .unwrap()
        .expect("the order exists");
    // Posting again with the same external id yields the same order, not a second one.
    let again = short.place_order(&empty_catalog(), &req2).await.unwrap();
    assert_eq!(again.pos_order_id, found.pos_order_id);
    assert_eq!(sim.orders().len(), 2);
}

#[tokio::test]
async fn an_unreachable_gateway() {
    // A port nothing listens on: bind one, then free it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut c = ProcartConfig::new(
        format!("http://127.0.0.1:{port}/api/v3"),
        Some("tok".into()),
    );
    c.retries = RetryPolicy {
        max_retries: 1,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(5),
    };
    let pos = ProcartPos::new(c).unwrap();
    assert!(matches!(pos.ping().await, Err(PosError::Unreachable(_))));
    assert!(matches!(
        pos.place_order(
            &empty_catalog(),
            &order_request(cart(), eat_in(), "x", Money::ZERO, None)
        )
        .await,
        Err(PosError::Unreachable(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// The token stays secret
// ---------------------------------------------------------------------------------------------

/// Collects everything the crate logs.
#[derive(Clone, Default)]
struct LogSink(Arc<Mutex<Vec<u8>>>);

impl Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_token_never_appears_in_errors_or_logs() {
    let sim = sim().await;
    let sink = LogSink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("pos_procart=trace")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let secret = "very-secret-token-7f3a";
    let mut errors = Vec::new();
    // Unknown token (401), query placement included.
    let pos = ProcartPos::new(config(&sim, Some(secret))).unwrap();
    errors.push(pos.menu().await.unwrap_err());
    // A server error, a reset and a timeout.
    sim.update_settings(|s| s.tokens.push(secret.into()));
    sim.add_fault(Fault::new("getmenu", SimFault::HttpError).status(500));
    errors.push(pos.menu().await.unwrap_err());
    sim.clear_faults();
    sim.add_fault(Fault::new("validate", SimFault::ConnectionReset).times(1));
    errors.push(
        pos.price(&empty_catalog(), &cart(), &eat_in())
            .await
            .unwrap_err(),
    );
    let mut c = config(&sim, Some(secret));
    c.timeouts.validate = Duration::from_millis(200);
    sim.add_fault(
        Fault::new("validate", SimFault::Hang)
            .hang_ms(2_000)
            .times(1),
    );
    errors.push(
        ProcartPos::new(c)
            .unwrap()
            .price(&empty_catalog(), &cart(), &eat_in())
            .await
            .unwrap_err(),
    );
    // Nothing listening.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut c = ProcartConfig::new(
        format!("http://127.0.0.1:{port}/api/v3"),
        Some(secret.into()),
    );
    c.retries = RetryPolicy::none();
    errors.push(
        ProcartPos::new(c.clone())
            .unwrap()
            .menu()
            .await
            .unwrap_err(),
    );
    assert!(!format!("{c:?}").contains(secret));

    assert_eq!(errors.len(), 5);
    for e in &errors {
        assert!(!format!("{e} {e:?}").contains(secret), "{e:?}");
    }
    let logs = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("ProCart"), "nothing was logged: {logs}");
    assert!(!logs.contains(secret), "{logs}");
}

// ---------------------------------------------------------------------------------------------
// Push notifications
// ---------------------------------------------------------------------------------------------

/// A one-shot HTTP receiver: answers 200 to the first request and hands back its body.
async fn receive_one_callback(listener: tokio::net::TcpListener) -> Vec<u8> {
    let (mut socket, _) = listener.accept().await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = socket.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the callback ended early");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse().unwrap())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                socket
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await
                    .unwrap();
                return buf[end + 4..end + 4 + len].to_vec();
            }
        }
    }
}

#[tokio::test]
async fn callbacks_from_the_pos_parse() {
    let sim = sim().await;
    let pos = pos(&sim);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/procart/callback", listener.local_addr().unwrap());
    let receiver = tokio::spawn(receive_one_callback(listener));

    let quote = pos
        .price(&empty_catalog(), &cart(), &eat_in())
        .await
        .unwrap();
    let mut req = order_request(
        cart(),
        eat_in(),
        "kiosk-1-000080",
        quote.total,
        Some(quote.total),
    );
    req.callback_url = Some(url);
    let o = pos.place_order(&empty_catalog(), &req).await.unwrap();
    sim.order_action(&o.pos_order_id, OrderAction::Precheck)
        .unwrap();

    let body = tokio::time::timeout(Duration::from_secs(10), receiver)
        .await
        .expect("the callback arrives")
        .unwrap();
    let event = parse_callback(&body).unwrap();
    assert!(pos_procart::wire::guid_eq(
        &event.pos_order_id,
        &o.pos_order_id
    ));
    assert_eq!(event.external_id.as_deref(), Some("kiosk-1-000080"));
    assert_eq!(event.status, OrderStatus::Bill);
    assert_eq!(event.previous, Some(OrderStatus::Open));
    assert_eq!(event.total, Some(quote.total));
    assert!(event.changed_at.is_some());
}
