//! The `/_sim/` admin endpoints: the order lifecycle, switches, payment control.

use pos_sim::{OrderAction, SimError};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

fn enc(s: &str) -> String {
    s.replace('{', "%7B").replace('}', "%7D")
}

async fn action(sim: &pos_sim::SimServer, guid: &str, a: &str) -> (StatusCode, Value) {
    post(sim, &format!("/_sim/orders/{}/{a}", enc(guid)), json!({})).await
}

async fn status_of(sim: &pos_sim::SimServer, guid: &str) -> String {
    let (_, r) = post(sim, "/api/v3/getorders", json!({ "guids": [guid] })).await;
    r["orders"][0]["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn the_order_lifecycle_follows_the_state_machine() {
    let sim = start().await;
    let (_, o) = post(
        &sim,
        "/api/v3/postorder",
        json!({ "items": [ { "code": 1905 } ] }),
    )
    .await;
    let guid = o["guid"].as_str().expect("guid").to_string();
    assert_eq!(status_of(&sim, &guid).await, "open");

    let (status, body) = action(&sim, &guid, "activate").await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "only a deferred order activates"
    );
    assert_eq!(error_code(&body), "INVALID_STATE");
    let (status, body) = action(&sim, &guid, "precheck").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "bill");
    assert_eq!(status_of(&sim, &guid).await, "bill");
    let (_, body) = action(&sim, &guid, "cancel_precheck").await;
    assert_eq!(body["status"], "open");
    let (_, body) = action(&sim, &guid, "precheck").await;
    assert_eq!(body["status"], "bill");
    let (_, body) = action(&sim, &guid, "pay").await;
    assert_eq!(body["status"], "close");
    assert_eq!(money(&body["paid_sum"]), dec("99.90"));
    for a in ["precheck", "pay", "delete", "cancel_precheck"] {
        let (status, _) = action(&sim, &guid, a).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{a} after close");
    }
    let (status, body) = action(&sim, &guid, "explode").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "NOT_FOUND");
    let (status, body) = action(&sim, "{00000000-0000-0000-0000-000000000000}", "pay").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "ORDER_NOT_FOUND");

    // The same from Rust.
    let (_, o) = post(
        &sim,
        "/api/v3/postorder",
        json!({ "items": [ { "code": 1905 } ] }),
    )
    .await;
    let g2 = o["guid"].as_str().expect("guid");
    sim.order_action(g2, OrderAction::Delete).expect("delete");
    assert_eq!(status_of(&sim, g2).await, "deleted");
    assert!(matches!(
        sim.order_action(g2, OrderAction::Precheck),
        Err(SimError::InvalidState { .. })
    ));
    assert!(matches!(
        sim.order_action("{nope}", OrderAction::Pay),
        Err(SimError::OrderNotFound(_))
    ));
}

#[tokio::test]
async fn switches_are_read_and_patched_over_http() {
    let sim = start().await;
    let (status, cfg) = get(&sim, "/_sim/config").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cfg["paid_order_behaviour"], "keep_open");
    assert_eq!(cfg["idempotency"], true);
    assert_eq!(cfg["error_mode"], "http400");
    let (status, cfg) = post(
        &sim,
        "/_sim/config",
        json!({
            "paid_order_behaviour": "close", "idempotency": false, "getmenu_latency_ms": 5,
            "error_mode": "valid_false", "push_statuses": ["bill"]
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cfg["paid_order_behaviour"], "close");
    let s = sim.settings();
    assert!(!s.idempotency);
    assert_eq!(s.getmenu_latency_ms, 5);
    assert_eq!(s.push_statuses, vec!["bill".to_string()]);
    let (status, body) = post(&sim, "/_sim/config", json!({ "no_such_switch": 1 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&body), "BAD_REQUEST");

    let (status, pay) = post(
        &sim,
        "/_sim/payment",
        json!({ "outcome": "decline", "delay_ms": 10 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pay["outcome"], "decline");
    assert_eq!(pay["delay_ms"], 10);
    let (status, _) = post(&sim, "/_sim/payment", json!({ "outcome": "maybe" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn remains_can_be_set_cleared_and_refused_for_unknown_codes() {
    let sim = start().await;
    let (status, _) = post(
        &sim,
        "/_sim/menu/remains",
        json!({ "code": 1008, "remains": null }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sim.remains(1008), None);
    let (status, p) = post(
        &sim,
        "/api/v3/validate",
        json!({ "items": [ { "code": 1008, "modifiers": [ { "code": 5001 } ] } ] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    sim.set_remains(5001, Some(dec("0")))
        .expect("modifier remains");
    let (status, body) = post(
        &sim,
        "/api/v3/validate",
        json!({ "items": [ { "code": 1008, "modifiers": [ { "code": 5001 } ] } ] }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "DISH_STOPPED");
    let (status, body) = post(
        &sim,
        "/_sim/menu/remains",
        json!({ "code": 31337, "remains": 1 }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "UNKNOWN_CODE");
}
