//! `/postorder`, `/getorders`, `/close`, `/internal/print_info` (§5.4–5.7).

use pos_sim::{OrderStatus, PaidOrderBehaviour, DEMO_TOKEN};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

fn paid_order(external_id: &str, amount: &str) -> Value {
    let mut cart = sample_cart();
    cart["external_id"] = json!(external_id);
    cart["expected_total"] = json!(amount.parse::<f64>().unwrap_or_default());
    cart["payments"] = json!([ {
        "currency_code": 5, "amount": amount, "transaction_id": "SIM-00000001",
        "auth_code": "A1B2C3", "card_mask": "220220******1234", "paid_at": "2026-11-22T12:00:00"
    } ]);
    cart["comment"] = json!("Позвонить, когда заказ будет готов. Без столовых приборов, спасибо! Очень длинный комментарий для сервис-чека.");
    cart["short_comment"] = json!("Киоск 1 / заказ для Ивана Петровича");
    cart
}

#[tokio::test]
async fn a_paid_order_is_created_open_with_its_payment_and_comments() {
    let sim = start().await;
    let (status, o) = post(
        &sim,
        "/api/v3/postorder",
        paid_order("kiosk-1-000001", "1416.01"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{o}");
    let guid = o["guid"].as_str().expect("guid");
    assert!(
        guid.starts_with('{') && guid.ends_with('}') && guid.len() == 38,
        "{guid}"
    );
    assert_eq!(guid, guid.to_uppercase());
    assert_eq!(o["status"], "open");
    assert_eq!(o["order_number"], "101");
    assert_eq!(o["external_id"], "kiosk-1-000001");
    assert_eq!(money(&o["total"]), dec("1416.01"));
    assert_eq!(money(&o["paid_sum"]), dec("1416.01"));
    assert_eq!(o["table_code"], 900);
    assert_eq!(
        o["short_comment"].as_str().map(|s| s.chars().count()),
        Some(30)
    );

    // The admin view has everything.
    let (_, all) = get(&sim, "/_sim/orders").await;
    let admin = &all["orders"][0];
    assert_eq!(admin["guid"], guid);
    assert_eq!(admin["payments"][0]["card_mask"], "220220******1234");
    assert_eq!(money(&admin["payments"][0]["amount"]), dec("1416.01"));
    assert_eq!(admin["sim"]["token"], DEMO_TOKEN);
    assert!(admin["comment"]
        .as_str()
        .is_some_and(|c| c.chars().count() > 30));

    // The next order gets the next number.
    let (_, o2) = post(
        &sim,
        "/api/v3/postorder",
        json!({ "items": [ { "code": 1905 } ] }),
    )
    .await;
    assert_eq!(o2["order_number"], "102");
    assert_eq!(o2["status"], "open");
    assert_eq!(money(&o2["paid_sum"]), dec("0"));
}

#[tokio::test]
async fn paid_orders_close_at_once_when_so_configured() {
    let sim = start().await;
    sim.update_settings(|s| s.paid_order_behaviour = PaidOrderBehaviour::Close);
    let (_, o) = post(&sim, "/api/v3/postorder", paid_order("k-close", "1416.01")).await;
    assert_eq!(o["status"], "close");
}

#[tokio::test]
async fn a_payment_that_does_not_match_the_total_creates_nothing() {
    let sim = start().await;
    let (status, body) = post(&sim, "/api/v3/postorder", paid_order("k-1", "1400.00")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "PAYMENT_MISMATCH");
    // Within a kopeck is accepted.
    let mut cart = paid_order("k-2", "1416.02");
    cart["expected_total"] = Value::Null;
    let (status, _) = post(&sim, "/api/v3/postorder", cart).await;
    assert_eq!(status, StatusCode::OK);
    // expected_total is checked too.
    let mut cart = json!({ "items": [ { "code": 1905 } ], "expected_total": 89.90 });
    let (status, body) = post(&sim, "/api/v3/postorder", cart.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "PAYMENT_MISMATCH");
    cart["expected_total"] = json!(99.90);
    let (status, _) = post(&sim, "/api/v3/postorder", cart).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sim.orders().len(), 2);
    // An unknown currency is refused.
    let cart = json!({ "items": [ { "code": 1905 } ], "payments": [ { "currency_code": 77, "amount": 99.90 } ] });
    let (status, body) = post(&sim, "/api/v3/postorder", cart).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "UNKNOWN_CODE");
    assert_eq!(sim.orders().len(), 2);
}

#[tokio::test]
async fn a_repeated_external_id_returns_the_same_order() {
    let sim = start().await;
    let (_, a) = post(
        &sim,
        "/api/v3/postorder",
        paid_order("kiosk-1-7", "1416.01"),
    )
    .await;
    let (status, b) = post(
        &sim,
        "/api/v3/postorder",
        paid_order("kiosk-1-7", "1416.01"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(a["guid"], b["guid"]);
    assert_eq!(sim.orders().len(), 1);
    // Switched off, duplicates are created (as a real gateway might).
    sim.update_settings(|s| s.idempotency = false);
    let (_, c) = post(
        &sim,
        "/api/v3/postorder",
        paid_order("kiosk-1-7", "1416.01"),
    )
    .await;
    assert_ne!(a["guid"], c["guid"]);
    assert_eq!(sim.orders().len(), 2);
}

#[tokio::test]
async fn remains_go_down_with_orders_and_come_back_on_delete() {
    let sim = start().await;
    let sauce = json!([ { "code": 5001 } ]);
    assert_eq!(sim.remains(1010), Some(dec("5")));
    let (status, o) = post(
        &sim,
        "/api/v3/postorder",
        json!({ "items": [ { "code": 1010, "quantity": 3, "modifiers": sauce } ] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{o}");
    assert_eq!(sim.remains(1010), Some(dec("2")));
    let (_, menu) = get(&sim, "/api/v3/getmenu").await;
    let dish = menu["dishes"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["code"] == 1010).cloned());
    assert_eq!(dish.map(|d| d["remains"].clone()), Some(json!(2)));
    let (status, body) = post(
        &sim,
        "/api/v3/postorder",
        json!({ "items": [ { "code": 1010, "quantity": 3, "modifiers": sauce } ] }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "NOT_ENOUGH_REMAINS");
    let guid = o["guid"].as_str().expect("guid");
    let (status, _) = post(&sim, &format!("/_sim/orders/{guid}/delete"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sim.remains(1010), Some(dec("5")));
}

#[tokio::test]
async fn getorders_finds_orders_by_guid_external_id_or_recency_and_per_token() {
    let sim = start().await;
    sim.update_settings(|s| s.tokens.push("other-kiosk".into()));
    let (_, a) = post(
        &sim,
        "/api/v3/postorder",
        json!({ "external_id": "a", "items": [ { "code": 1905 } ] }),
    )
    .await;
    let (_, b) = post(
        &sim,
        "/api/v3/postorder",
        json!({ "external_id": "b", "items": [ { "code": 1904 } ] }),
    )
    .await;
    let guid_a = a["guid"].as_str().expect("guid").to_string();

    let (status, r) = post(
        &sim,
        "/api/v3/getorders",
        json!({ "guids": [guid_a, "{00000000-0000-0000-0000-000000000000}"] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r["orders"].as_array().map(Vec::len), Some(1));
    assert_eq!(r["orders"][0]["status"], "open");
    assert_eq!(money(&r["orders"][0]["total"]), dec("99.90"));
    assert!(r["orders"][0]["created_at"].is_string());

    // GUIDs compare case-insensitively, braces optional.
    let bare = guid_a.trim_matches(|c| c == '{' || c == '}').to_lowercase();
    let (_, r) = post(&sim, "/api/v3/getorders", json!({ "guids": [bare] })).await;
    assert_eq!(r["orders"].as_array().map(Vec::len), Some(1));

    let (_, r) = post(&sim, "/api/v3/getorders", json!({ "external_ids": ["b"] })).await;
    assert_eq!(r["orders"][0]["guid"], b["guid"]);

    let (_, r) = post(&sim, "/api/v3/getorders", json!({})).await;
    assert_eq!(r["orders"].as_array().map(Vec::len), Some(2));

    // GET form, repeated guid parameters.
    let (status, r) = get(
        &sim,
        &format!(
            "/api/v3/getorders?guid={}&guid={}",
            enc(&guid_a),
            enc(b["guid"].as_str().unwrap_or_default())
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r["orders"].as_array().map(Vec::len), Some(2));
    let (status, r) = get(&sim, "/api/v3/getorders?guid=%7BNOPE%7D").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&r), "ORDER_NOT_FOUND");

    // Another token sees none of them.
    let r: Value = client()
        .post(format!("{}/api/v3/getorders", sim.url()))
        .header("token", "other-kiosk")
        .json(&json!({ "external_ids": ["a", "b"] }))
        .send()
        .await
        .expect("getorders")
        .json()
        .await
        .expect("json");
    assert_eq!(r["orders"], json!([]));
}

fn enc(s: &str) -> String {
    s.replace('{', "%7B").replace('}', "%7D")
}

#[tokio::test]
async fn close_checks_state_and_payments() {
    let sim = start().await;
    let (_, unpaid) = post(
        &sim,
        "/api/v3/postorder",
        json!({ "items": [ { "code": 1905, "quantity": 2 } ] }),
    )
    .await;
    let guid = unpaid["guid"].as_str().expect("guid").to_string();
    let (status, body) = post(&sim, "/api/v3/close", json!({ "guid": guid })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "nothing paid yet");
    assert_eq!(error_code(&body), "PAYMENT_MISMATCH");
    let (status, body) = post(
        &sim,
        "/api/v3/close",
        json!({ "guid": guid, "payments": [ { "currency_code": 5, "amount": 199.80 } ] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "close");
    assert_eq!(money(&body["paid_sum"]), dec("199.80"));
    let (status, body) = post(&sim, "/api/v3/close", json!({ "guid": guid })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "INVALID_STATE");
    let (status, body) = post(
        &sim,
        "/api/v3/close",
        json!({ "guid": "{00000000-0000-0000-0000-000000000000}" }),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "ORDER_NOT_FOUND");

    // A prepaid order kept open closes without payments.
    let (_, prepaid) = post(&sim, "/api/v3/postorder", paid_order("prepaid", "1416.01")).await;
    let (status, body) = post(&sim, "/api/v3/close", json!({ "guid": prepaid["guid"] })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "close");
    let statuses: Vec<OrderStatus> = sim.orders().iter().map(|o| o.status).collect();
    assert_eq!(statuses, vec![OrderStatus::Close, OrderStatus::Close]);
}

#[tokio::test]
async fn print_info_returns_the_long_comment() {
    let sim = start().await;
    let (_, o) = post(
        &sim,
        "/api/v3/postorder",
        paid_order("with-comment", "1416.01"),
    )
    .await;
    let guid = o["guid"].as_str().expect("guid");
    let url = format!(
        "{}/api/v3/internal/print_info?guid={}",
        sim.url(),
        enc(guid)
    );
    let r = client().get(&url).send().await.expect("print_info");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("text/plain")));
    let text = r.text().await.expect("text");
    assert!(text.starts_with("Позвонить, когда заказ будет готов."));

    let r = client()
        .get(&url)
        .header("accept", "application/json")
        .send()
        .await
        .expect("print_info");
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["guid"], guid);
    assert_eq!(body["comment"].as_str(), Some(text.as_str()));

    let r = client()
        .get(format!(
            "{}/api/v3/internal/print_info?guid=%7BNOPE%7D",
            sim.url()
        ))
        .send()
        .await
        .expect("print_info");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    sim.update_settings(|s| s.print_info_requires_token = true);
    let r = client().get(&url).send().await.expect("print_info");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = client()
        .get(&url)
        .header("token", DEMO_TOKEN)
        .send()
        .await
        .expect("print_info");
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_future_deferred_until_makes_a_deferred_order() {
    let sim = start().await;
    let (status, o) = post(
        &sim,
        "/api/v3/postorder",
        json!({ "items": [ { "code": 1905 } ], "deferred_until": "2099-01-01T12:00:00" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{o}");
    assert_eq!(o["status"], "deferred");
    let guid = o["guid"].as_str().expect("guid");
    let (_, o) = post(
        &sim,
        &format!("/_sim/orders/{}/activate", enc(guid)),
        json!({}),
    )
    .await;
    assert_eq!(o["status"], "open");
    let (status, body) = post(
        &sim,
        "/api/v3/postorder",
        json!({ "items": [ { "code": 1905 } ], "deferred_until": "tomorrow" }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "VALIDATION_FAILED");
}
