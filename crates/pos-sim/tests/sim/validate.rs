//! `/validate`: pricing rules and every cart check (§5.3, §6.2–6.11).

use pos_sim::ErrorMode;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

async fn validate(sim: &pos_sim::SimServer, cart: Value) -> (StatusCode, Value) {
    post(sim, "/api/v3/validate", cart).await
}

#[tokio::test]
async fn a_cart_is_priced_with_kopecks_modifiers_combos_and_auto_discounts() {
    let sim = start().await;
    let (status, p) = validate(&sim, sample_cart()).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["valid"], true);
    let burger = &p["items"][0];
    assert_eq!(money(&burger["price"]), dec("189.90"));
    assert_eq!(money(&burger["sum"]), dec("379.80"));
    assert_eq!(money(&burger["modifiers"][0]["sum"]), dec("60.00"));
    assert_eq!(money(&burger["modifiers"][1]["sum"]), dec("199.60"));
    assert_eq!(money(&burger["total"]), dec("639.40"));

    let combo = &p["items"][1];
    assert_eq!(money(&combo["price"]), dec("529.90"));
    assert_eq!(money(&combo["discount_sum"]), dec("52.99"));
    assert_eq!(money(&combo["total"]), dec("476.91"));
    assert_eq!(combo["combo_items"].as_array().map(Vec::len), Some(3));
    assert_eq!(combo["combo_items"][0]["name"], "Бургер с беконом");

    assert_eq!(money(&p["sum"]), dec("1469.00"));
    assert_eq!(money(&p["discount_sum"]), dec("52.99"));
    assert_eq!(money(&p["total"]), dec("1416.01"));
    let discounts = p["discounts"].as_array().expect("discounts");
    assert_eq!(discounts.len(), 1);
    assert_eq!(discounts[0]["code"], 7);
    assert_eq!(discounts[0]["auto"], true);
    assert_eq!(p["table_code"], 900);

    // Validate changes nothing: no order, remains untouched.
    assert!(sim.orders().is_empty());
}

#[tokio::test]
async fn prices_follow_the_order_category_and_its_auto_markup() {
    let sim = start().await;
    let cart = |category: i64| {
        json!({ "order_category_code": category,
                "items": [ { "code": 1802, "quantity": 2, "modifiers": [ { "code": 5202 } ] } ] })
    };
    let (_, eat_in) = validate(&sim, cart(1)).await;
    assert_eq!(money(&eat_in["items"][0]["price"]), dec("179.90"));
    assert_eq!(money(&eat_in["total"]), dec("459.80"));
    assert_eq!(eat_in["markups"], json!([]));

    let (_, takeaway) = validate(&sim, cart(2)).await;
    assert_eq!(money(&takeaway["items"][0]["price"]), dec("169.90"));
    assert_eq!(money(&takeaway["sum"]), dec("439.80"));
    assert_eq!(takeaway["markups"][0]["code"], 14);
    assert_eq!(takeaway["markups"][0]["auto"], true);
    assert_eq!(money(&takeaway["markup_sum"]), dec("9.90"));
    assert_eq!(money(&takeaway["total"]), dec("449.70"));

    // No category: the fixture's default (eat-in).
    let (_, default) = validate(
        &sim,
        json!({ "items": [ { "code": 1802, "quantity": 2, "modifiers": [ { "code": 5202 } ] } ] }),
    )
    .await;
    assert_eq!(money(&default["total"]), dec("459.80"));
}

#[tokio::test]
async fn big_orders_get_the_threshold_discount_rounded_half_up() {
    let sim = start().await;
    let (status, p) = validate(
        &sim,
        json!({ "items": [ { "code": 1504, "quantity": 5, "modifiers": [ { "code": 5401 } ] } ] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    // 5 × 649.90 = 3249.50; 5% = 162.475 → 162.48.
    assert_eq!(money(&p["discount_sum"]), dec("162.48"));
    assert_eq!(money(&p["total"]), dec("3087.02"));
}

#[tokio::test]
async fn requested_discounts_and_markups_apply() {
    let sim = start().await;
    let (status, p) = validate(
        &sim,
        json!({
            "items": [ { "code": 1905, "quantity": 10 } ],
            "discounts": [ { "code": 11 }, { "code": 12, "amount": 50.5 } ],
            "markups": [ { "code": 8, "amount": "30.00" } ]
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    // 999.00 − 20% (199.80) − 50.50 + 30.00
    assert_eq!(money(&p["sum"]), dec("999.00"));
    assert_eq!(money(&p["discount_sum"]), dec("250.30"));
    assert_eq!(money(&p["markup_sum"]), dec("30.00"));
    assert_eq!(money(&p["total"]), dec("778.70"));
    assert_eq!(p["discounts"][0]["auto"], false);

    let (status, body) = validate(
        &sim,
        json!({ "items": [ { "code": 1905 } ], "discounts": [ { "code": 999 } ] }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "UNKNOWN_CODE");
    let (status, body) = validate(
        &sim,
        json!({ "items": [ { "code": 1905 } ], "discounts": [ { "code": 12 } ] }),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an open discount needs its amount"
    );
    assert_eq!(error_code(&body), "VALIDATION_FAILED");
}

#[tokio::test]
async fn markups_need_procart_1_9_1_64() {
    let sim = start().await;
    sim.update_settings(|s| s.procart_version = "1.9.1.7".into());
    let (status, body) = validate(
        &sim,
        json!({ "items": [ { "code": 1905 } ], "markups": [ { "code": 8, "amount": 10 } ] }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "VALIDATION_FAILED");
    // And auto markups do not apply on the old version.
    let (_, p) = validate(
        &sim,
        json!({ "order_category_code": 2, "items": [ { "code": 1905 } ] }),
    )
    .await;
    assert_eq!(p["markups"], json!([]));
}

#[tokio::test]
async fn a_dish_comment_becomes_an_open_modifier() {
    let sim = start().await;
    let (status, p) = validate(
        &sim,
        json!({ "items": [ { "code": 1905, "quantity": 1, "comment": "без льда, пожалуйста" } ] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let m = &p["items"][0]["modifiers"][0];
    assert_eq!(m["code"], 9000);
    assert_eq!(m["open"], true);
    assert_eq!(m["name"], "без льда, пожалуйста");
    assert_eq!(money(&m["sum"]), dec("0"));
    assert_eq!(p["items"][0]["comment"], "без льда, пожалуйста");
}

async fn expect_error(sim: &pos_sim::SimServer, cart: Value, code: &str) {
    let (status, body) = validate(sim, cart.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{cart} → {body}");
    assert_eq!(error_code(&body), code, "{cart} → {body}");
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
}

#[tokio::test]
async fn every_cart_rule_is_checked() {
    let sim = start().await;
    let sauce = json!([ { "code": 5001 } ]);
    // Unknown codes: dish, modifier, order category, table; and an empty cart.
    expect_error(
        &sim,
        json!({ "items": [ { "code": 777777 } ] }),
        "UNKNOWN_CODE",
    )
    .await;
    expect_error(
        &sim,
        json!({ "items": [ { "code": 1001, "modifiers": [ { "code": 987654 } ] } ] }),
        "UNKNOWN_CODE",
    )
    .await;
    expect_error(
        &sim,
        json!({ "order_category_code": 99, "items": [ { "code": 1905 } ] }),
        "UNKNOWN_CODE",
    )
    .await;
    expect_error(
        &sim,
        json!({ "table_code": 4242, "items": [ { "code": 1905 } ] }),
        "UNKNOWN_CODE",
    )
    .await;
    expect_error(&sim, json!({ "items": [] }), "VALIDATION_FAILED").await;
    expect_error(
        &sim,
        json!({ "items": [ { "code": 1905, "quantity": 0 } ] }),
        "VALIDATION_FAILED",
    )
    .await;
    // Stop-list and remains (1008 is stopped, 1010 has 5 left, across lines too).
    expect_error(
        &sim,
        json!({ "items": [ { "code": 1008, "modifiers": sauce } ] }),
        "DISH_STOPPED",
    )
    .await;
    expect_error(
        &sim,
        json!({ "items": [ { "code": 1010, "quantity": 6, "modifiers": sauce } ] }),
        "NOT_ENOUGH_REMAINS",
    )
    .await;
    expect_error(
        &sim,
        json!({ "items": [ { "code": 1010, "quantity": 3, "modifiers": sauce }, { "code": 1010, "quantity": 3, "modifiers": sauce } ] }),
        "NOT_ENOUGH_REMAINS",
    )
    .await;
    // A stopped modifier (jalapeño).
    expect_error(&sim, json!({ "items": [ { "code": 1001, "modifiers": [ { "code": 5001 }, { "code": 5013 } ] } ] }), "DISH_STOPPED").await;
    // Modifier limits: required sauce missing, two sauces, 4 extras, per-modifier max, foreign modifier.
    expect_error(
        &sim,
        json!({ "items": [ { "code": 1001 } ] }),
        "MODIFIER_LIMITS",
    )
    .await;
    expect_error(&sim, json!({ "items": [ { "code": 1001, "modifiers": [ { "code": 5001 }, { "code": 5002 } ] } ] }), "MODIFIER_LIMITS").await;
    expect_error(
        &sim,
        json!({ "items": [ { "code": 1001, "modifiers": [ { "code": 5001 }, { "code": 5011 }, { "code": 5012 }, { "code": 5014 }, { "code": 5015 } ] } ] }),
        "MODIFIER_LIMITS",
    )
    .await;
    expect_error(&sim, json!({ "items": [ { "code": 1001, "modifiers": [ { "code": 5001 }, { "code": 5014, "quantity": 2 } ] } ] }), "MODIFIER_LIMITS").await;
    expect_error(&sim, json!({ "items": [ { "code": 1001, "modifiers": [ { "code": 5001 }, { "code": 5201 } ] } ] }), "MODIFIER_LIMITS").await;
    // Combos: a group left empty, a dish that is not a choice of the group.
    expect_error(
        &sim,
        json!({ "items": [ { "code": 3003, "combo_items": [ { "group_code": 321, "code": 1002, "modifiers": sauce }, { "group_code": 322, "code": 1904 } ] } ] }),
        "MODIFIER_LIMITS",
    )
    .await;
    expect_error(
        &sim,
        json!({ "items": [ { "code": 3003, "combo_items": [ { "group_code": 321, "code": 1001, "modifiers": sauce }, { "group_code": 322, "code": 1904 }, { "group_code": 323, "code": 1704 } ] } ] }),
        "UNKNOWN_CODE",
    )
    .await;
}

#[tokio::test]
async fn valid_false_mode_answers_200_with_the_problems() {
    let sim = start().await;
    sim.update_settings(|s| s.error_mode = ErrorMode::ValidFalse);
    let (status, body) = validate(&sim, json!({ "items": [ { "code": 1008, "modifiers": [ { "code": 5001 } ] }, { "code": 777 } ] })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["valid"], false);
    let errors = body["errors"].as_array().expect("errors");
    assert!(errors
        .iter()
        .any(|e| e["code"] == "UNKNOWN_CODE" && e["item_index"] == 1));
    assert!(errors
        .iter()
        .any(|e| e["code"] == "DISH_STOPPED" && e["item_index"] == 0));
}

/// A client marks the dish sold out from `dish_code`, never from the Russian message: the
/// envelope names the first short code, and every stock entry of `errors[]` names its own.
#[tokio::test]
async fn stock_errors_name_the_dish_code() {
    let sim = start().await;
    let sauce = json!([ { "code": 5001 } ]);
    let (status, body) = validate(
        &sim,
        json!({ "items": [ { "code": 1010, "quantity": 6, "modifiers": sauce }, { "code": 1008, "modifiers": sauce } ] }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Codes are checked in order: 1008 (stopped) before 1010 (5 left, 6 wanted).
    assert_eq!(body["code"], "DISH_STOPPED", "{body}");
    assert_eq!(body["dish_code"], 1008, "{body}");
    let errors = body["errors"].as_array().expect("errors");
    let stock: Vec<(&str, i64, u64)> = errors
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap_or_default(),
                e["dish_code"].as_i64().unwrap_or(-1),
                e["item_index"].as_u64().unwrap_or(99),
            )
        })
        .collect();
    assert_eq!(
        stock,
        [("DISH_STOPPED", 1008, 1), ("NOT_ENOUGH_REMAINS", 1010, 0)]
    );

    // A stopped modifier is named by its own code.
    let (_, body) = validate(
        &sim,
        json!({ "items": [ { "code": 1001, "modifiers": [ { "code": 5001 }, { "code": 5013 } ] } ] }),
    )
    .await;
    assert_eq!(
        (&body["code"], &body["dish_code"]),
        (&json!("DISH_STOPPED"), &json!(5013))
    );

    // Other errors carry no dish code.
    let (_, body) = validate(&sim, json!({ "items": [ { "code": 777777 } ] })).await;
    assert_eq!(body["code"], "UNKNOWN_CODE");
    assert!(body.get("dish_code").is_none(), "{body}");
    assert!(body["errors"][0].get("dish_code").is_none(), "{body}");

    sim.update_settings(|s| s.error_mode = ErrorMode::ValidFalse);
    let (status, body) = validate(
        &sim,
        json!({ "items": [ { "code": 1010, "quantity": 6, "modifiers": sauce } ] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["errors"][0]["code"], "NOT_ENOUGH_REMAINS");
    assert_eq!(body["errors"][0]["dish_code"], 1010);

    sim.update_settings(|s| s.error_mode = ErrorMode::Http400);
    let (status, body) = post(
        &sim,
        "/api/v3/postorder",
        json!({ "external_id": "stock-1", "items": [ { "code": 1008, "modifiers": sauce } ] }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["dish_code"], 1008, "/postorder says it too: {body}");
}

#[tokio::test]
async fn codes_and_amounts_may_come_as_strings() {
    let sim = start().await;
    let (status, p) = validate(
        &sim,
        json!({ "order_category_code": "1", "items": [ { "code": "1905", "quantity": "2" } ] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(money(&p["total"]), dec("199.80"));
}
