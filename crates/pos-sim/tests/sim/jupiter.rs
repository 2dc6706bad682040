//! The Jupiter simulator over HTTP: the demo restaurant it serves by default, read with the
//! Jupiter client's own catalog builder, its pictures, its sold-out switch, and the admin routes
//! it shares with ProCart mode.

use std::collections::HashSet;

use pos_jupiter::wire::GetTtResponse;
use pos_jupiter::{build_menu, JupiterMenu, MenuOptions};
use pos_sim::jupiter::{JupiterSimConfig, MenuDoc, KIOSK_USER, SERVER_ID};
use pos_sim::{MenuFixture, PosKind, SimConfig, SimServer};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::common::*;

async fn jupiter(jupiter: JupiterSimConfig) -> SimServer {
    start_with(SimConfig {
        pos: PosKind::Jupiter,
        jupiter,
        ..SimConfig::default()
    })
    .await
}

/// The simulator the kiosk's demo starts: `SimConfig { pos: Jupiter, ..Default::default() }`.
async fn demo() -> SimServer {
    start_with(SimConfig {
        pos: PosKind::Jupiter,
        ..SimConfig::default()
    })
    .await
}

async fn jpos(sim: &SimServer, request: Value) -> Value {
    let r = client()
        .post(format!("{}/jpos/index.php", sim.url()))
        .json(&request)
        .send()
        .await
        .expect("jpos");
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("JSON")
}

async fn get_tt(sim: &SimServer) -> Value {
    let tt = jpos(sim, json!({"command": "getTT", "serverId": SERVER_ID})).await;
    assert_eq!(tt["status"], "ok", "{tt}");
    tt
}

async fn catalog(sim: &SimServer) -> JupiterMenu {
    let tt: GetTtResponse = serde_json::from_value(get_tt(sim).await).expect("getTT decodes");
    build_menu(&tt, &MenuOptions::default())
}

#[tokio::test]
async fn the_demo_restaurant_is_the_default_and_the_client_reads_it_without_faults() {
    let sim = demo().await;
    let menu = catalog(&sim).await;
    let c = &menu.catalog;
    assert!(c.faults.is_empty(), "{:#?}", c.faults);
    assert_eq!(menu.restaurant.name, "Бургерная «Огонёк»");

    // Every dish and combo of the ProCart demo, less the stopped ones, at the same price.
    let fx = MenuFixture::demo();
    let stopped = |r: Option<Decimal>| r == Some(Decimal::ZERO);
    let expected: Vec<(String, Decimal)> = fx
        .dishes
        .iter()
        .filter(|d| !stopped(d.remains))
        .map(|d| (format!("3:1:0:{}", d.code), d.price))
        .chain(
            fx.combos
                .iter()
                .filter(|k| !stopped(k.remains))
                .map(|k| (format!("3:1:0:{}", k.code), k.price)),
        )
        .collect();
    assert_eq!(c.dishes.len(), expected.len());
    for (id, price) in &expected {
        let dish = c.dish(id).unwrap_or_else(|| panic!("no dish {id}"));
        assert_eq!(dish.price.decimal(), *price, "{id}");
    }
    assert!(c.dish("3:1:0:1008").is_none(), "Фиш бургер is stopped");

    // Sections: the fixture's categories under the main layout, which has no products itself.
    let names: Vec<&str> = c.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names[0], "ГЛАВНОЕ");
    assert_eq!(names.len(), fx.categories.len() + 1);
    let burgers = c.dish("3:1:0:1001").expect("Чизбургер");
    assert_eq!(
        c.sections
            .iter()
            .find(|s| s.id == burgers.section)
            .map(|s| s.name.as_str()),
        Some("Бургеры")
    );
    assert!(burgers
        .description
        .as_deref()
        .is_some_and(|d| d.ends_with("· 180 г")));

    // Modifier groups: the burger's required sauce, and napkins it comes with.
    let groups: Vec<_> = burgers
        .modifier_groups
        .iter()
        .map(|g| {
            c.modifier_groups
                .iter()
                .find(|x| &x.id == g)
                .expect("group")
        })
        .collect();
    let sauce = groups[0];
    assert_eq!(
        (sauce.name.as_str(), sauce.min, sauce.max),
        ("Соус", 1, Some(1))
    );
    let napkins = groups.last().expect("groups");
    assert_eq!(napkins.name, "Салфетки");
    assert!(napkins
        .modifiers
        .iter()
        .all(|m| m.auto && m.price.is_zero()));
    assert!(
        c.modifier_groups
            .iter()
            .flat_map(|g| &g.modifiers)
            .all(|m| m.id != "3:99:0:5013"),
        "a stopped modifier is not offered"
    );

    // A combo is a product whose choices are modifier groups, default first.
    let combo = c.dish("3:1:0:3001").expect("Комбо Классик");
    let first = c
        .modifier_groups
        .iter()
        .find(|g| g.id == combo.modifier_groups[0])
        .expect("choice group");
    assert_eq!((first.min, first.max), (1, Some(1)));
    assert_eq!(first.modifiers[0].name, "Чизбургер");

    let pay: Vec<&str> = menu.payment_types.iter().map(|p| p.uid.as_str()).collect();
    assert!(
        pay.contains(&"paymentCard"),
        "the kiosk's demo tender: {pay:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_product_has_a_picture_on_the_simulator_that_decodes() {
    let sim = demo().await;
    let menu = catalog(&sim).await;
    let mut urls = Vec::new();
    for dish in &menu.catalog.dishes {
        let url = dish.image_url.clone().unwrap_or_default();
        assert!(
            url.starts_with(&format!("{}/images/", sim.url())),
            "{}: {url}",
            dish.name
        );
        urls.push(url);
    }
    let distinct: HashSet<&String> = urls.iter().collect();
    assert_eq!(distinct.len(), urls.len(), "one picture per product");
    // A few at a time, as a kiosk's image cache fetches them: the simulator paints one per
    // core, and each request's timeout covers its own wait only.
    for batch in urls.chunks(4) {
        let mut fetches = tokio::task::JoinSet::new();
        for url in batch {
            let url = url.clone();
            fetches.spawn(async move {
                let r = client().get(&url).send().await.expect("picture");
                assert_eq!(r.status(), StatusCode::OK, "{url}");
                assert_eq!(
                    r.headers().get("content-type").map(|v| v.as_bytes()),
                    Some(&b"image/jpeg"[..])
                );
                let bytes = r.bytes().await.expect("bytes");
                let img = image::load_from_memory(&bytes).expect("decodes");
                assert_eq!((img.width(), img.height()), (800, 600), "{url}");
            });
        }
        while let Some(done) = fetches.join_next().await {
            done.expect("the picture checks out");
        }
    }
}

#[tokio::test]
async fn a_dish_looks_the_same_on_both_simulators() {
    let jupiter = demo().await;
    let procart = start().await;
    for (jupiter_path, procart_path) in [
        ("/images/burger/1004.jpg", "/images/dish/1004.jpg"),
        ("/images/combo/3004.jpg", "/images/combo/3004.jpg"),
    ] {
        let a = client()
            .get(format!("{}{jupiter_path}", jupiter.url()))
            .send()
            .await
            .expect("jupiter picture");
        assert_eq!(a.status(), StatusCode::OK);
        let b = client()
            .get(format!("{}{procart_path}", procart.url()))
            .send()
            .await
            .expect("procart picture");
        assert_eq!(
            a.bytes().await.expect("bytes"),
            b.bytes().await.expect("bytes"),
            "{jupiter_path}"
        );
    }
    let r = client()
        .get(format!("{}/images/plate/1.jpg", jupiter.url()))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_demo_order_is_priced_with_kopecks_and_included_items() {
    let sim = demo().await;
    let order = json!({
        "command": "add_new_order", "serverId": SERVER_ID, "user_id": KIOSK_USER,
        "order": {"uid": "demo-1", "close_date": "", "source": "Киоск", "order_line": [
            {"uid": "1", "product_uid": "3:1:0:1001", "quantity": "2", "selected_modifiers": [
                {"uid": "2", "product_uid": "3:99:0:5003", "quantity": "1"},
                {"uid": "3", "product_uid": "3:98:0:9101", "quantity": "1"}
            ]},
            {"uid": "4", "product_uid": "3:1:0:1905", "quantity": "1"}
        ]}
    });
    let r = jpos(&sim, order).await;
    assert_eq!(r["status"], "ok", "{r}");
    // 2 × (189.90 + 30.00 cheese sauce + 0 napkins) + 99.90 morse.
    assert_eq!(
        money(&r["order"]["sum_fakt"]),
        Decimal::new(53970, 2),
        "{r}"
    );
}

/// The kiosk's demo flow on the Jupiter demo, through the Jupiter client: local price, pay
/// first with the demo tender, then the order in Jupiter closed for the same total.
#[tokio::test]
async fn the_kiosk_orders_from_the_demo_and_pays_with_the_demo_tender() {
    use kiosk_core::cart::{Cart, CartLine, ChosenModifier, OrderType};
    use kiosk_core::order::{OrderContext, OrderRequest, OrderStatus};
    use kiosk_core::payment::{PaymentReceipt, PaymentRecord};
    use kiosk_core::ports::Pos;
    use kiosk_core::Money;
    use pos_jupiter::{JupiterConfig, JupiterPos, Secret, UserCredentials};
    use pos_sim::jupiter::KIOSK_PASSWORD;

    let sim = demo().await;
    let pos = JupiterPos::new(JupiterConfig::new(
        format!("{}/jpos/index.php", sim.url()),
        Secret::new(SERVER_ID),
        UserCredentials::Password(Secret::new(KIOSK_PASSWORD)),
    ))
    .expect("client");
    let catalog = pos.menu().await.expect("menu");
    let choice = |combo: &str, group: usize, name: &str| {
        let group = &catalog.dish(combo).expect("combo").modifier_groups[group];
        let group = catalog.modifier_groups.iter().find(|g| &g.id == group);
        let m = group.and_then(|g| g.modifiers.iter().find(|m| m.name == name));
        ChosenModifier {
            id: m.expect("choice").id.clone(),
            qty: 1,
        }
    };
    let line = |dish: &str, qty: u32, modifiers: Vec<ChosenModifier>| CartLine {
        dish: dish.into(),
        qty,
        modifiers,
        comment: None,
        combo: vec![],
    };
    let cart = Cart {
        order_type: OrderType::Takeaway,
        lines: vec![
            // 2 × (189.90 + 30.00 cheese sauce) = 439.80
            line(
                "3:1:0:1001",
                2,
                vec![ChosenModifier {
                    id: "3:99:0:5003".into(),
                    qty: 1,
                }],
            ),
            // 399.90 + 90.00 for the bacon burger = 489.90
            line(
                "3:1:0:3001",
                1,
                vec![
                    choice("3:1:0:3001", 0, "Бургер с беконом"),
                    choice("3:1:0:3001", 1, "Картофель фри"),
                    choice("3:1:0:3001", 2, "Кока-Кола"),
                ],
            ),
        ],
    };
    let total = Money::parse("929.70").expect("money");
    let quote = pos
        .price(&catalog, &cart, &OrderContext::default())
        .await
        .expect("price");
    assert_eq!(quote.total, total);

    let placed = pos
        .place_order(
            &catalog,
            &OrderRequest {
                cart,
                context: OrderContext::default(),
                external_id: "demo-order-1".into(),
                expected_total: total,
                payment: Some(PaymentRecord {
                    tender: "paymentCard".into(),
                    receipt: PaymentReceipt {
                        provider: "paysim".into(),
                        attempt_id: "att-1".into(),
                        transaction_id: "txn-1".into(),
                        auth_code: None,
                        card_mask: None,
                        amount: total,
                        paid_at: "2024-09-01T12:00:00".into(),
                    },
                }),
                comment: None,
                short_comment: None,
                callback_url: None,
            },
        )
        .await
        .expect("order");
    assert_eq!(placed.status, OrderStatus::Closed);
    assert_eq!((placed.total, placed.paid), (total, total));
    let (_, orders) = get(&sim, "/_sim/orders").await;
    let payment = &orders["orders"][0]["order"]["order_payment"][0];
    assert_eq!(payment["pay_type_uid"], "paymentCard");
    assert_eq!(payment["name"], "Банковская карта");
    assert_eq!(money(&payment["sum"]), total.decimal());
}

#[tokio::test]
async fn staff_can_take_a_dish_off_the_menu_and_put_it_back() {
    let sim = demo().await;
    let before = get_tt(&sim).await["menu"]["settingsDate"].clone();
    let (status, r) = post(
        &sim,
        "/_sim/menu/sold_out",
        json!({"uid": "3:1:0:1001", "sold_out": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let check = jpos(
        &sim,
        json!({"command": "checkUpdate", "serverId": SERVER_ID, "date_from_request": before}),
    )
    .await;
    assert_eq!(check["update"], "yes", "the kiosk is told to reload");
    assert!(catalog(&sim).await.catalog.dish("3:1:0:1001").is_none());

    // Stopped in the fixture, so sold out from the start; it can be put back.
    post(
        &sim,
        "/_sim/menu/sold_out",
        json!({"uid": "3:1:0:1008", "sold_out": false}),
    )
    .await;
    let menu = catalog(&sim).await;
    assert!(menu.catalog.dish("3:1:0:1008").is_some());
    assert!(menu.catalog.faults.is_empty(), "{:#?}", menu.catalog.faults);
    let (_, admin) = get(&sim, "/_sim/menu").await;
    assert!(admin["sold_out"]
        .as_array()
        .expect("sold_out")
        .contains(&json!("3:1:0:1001")));

    let (status, body) = post(
        &sim,
        "/_sim/menu/sold_out",
        json!({"uid": "3:1:0:424242", "sold_out": true}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "UNKNOWN_CODE");
}

#[tokio::test]
async fn the_seed_and_generated_menus_stay_available() {
    let seed = jupiter(JupiterSimConfig {
        menu: MenuDoc::seed(),
        ..JupiterSimConfig::default()
    })
    .await;
    let tt = get_tt(&seed).await;
    assert_eq!(tt["menu"]["settingsDate"], "2020-10-09 15:37:59");
    assert_eq!(
        JupiterSimConfig::default().menu,
        MenuDoc::seed(),
        "the contract tests' default"
    );
    let generated = jupiter(JupiterSimConfig {
        menu: MenuDoc::generated(10),
        ..JupiterSimConfig::default()
    })
    .await;
    assert_eq!(
        get_tt(&generated).await["data"]["name"],
        "Суши-бар (симулятор)"
    );
}

#[tokio::test]
async fn faults_and_the_payment_terminal_are_driven_as_in_procart_mode() {
    let sim = demo().await;
    let (status, body) = post(
        &sim,
        "/_sim/faults",
        json!({"method": "getTT", "kind": "http_error", "times": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = client()
        .post(format!("{}/jpos/index.php", sim.url()))
        .json(&json!({"command": "getTT", "serverId": SERVER_ID}))
        .send()
        .await
        .expect("jpos");
    assert_eq!(r.status(), StatusCode::BAD_GATEWAY, "nginx in front of PHP");
    get_tt(&sim).await;

    // The same admin error envelope as in ProCart mode.
    let (status, body) = post(&sim, "/_sim/faults", json!({"kind": "no_such_kind"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "BAD_REQUEST");
    let (status, body) = post(&sim, "/_sim/payment", json!({"outcome": "decline"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["outcome"], "decline");
    let (status, body) = post(&sim, "/_sim/workday", json!({"open": "yes"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "BAD_REQUEST");
}
