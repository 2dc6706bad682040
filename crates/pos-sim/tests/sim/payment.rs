//! The payment simulator: outcomes, idempotency, cancel, refund, the admin view.

use std::time::Duration;

use pos_sim::{PaymentOutcomeMode, SimConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

fn pay(attempt: &str, amount: &str) -> Value {
    json!({ "attempt_id": attempt, "order_ref": "kiosk-1-000123", "amount": amount, "description": "Заказ в киоске" })
}

async fn charged(sim: &pos_sim::SimServer) -> Vec<(String, String)> {
    let (_, all) = get(sim, "/_sim/payments").await;
    all["payments"]
        .as_array()
        .map(|p| {
            p.iter()
                .map(|p| {
                    (
                        p["attempt_id"].as_str().unwrap_or_default().to_string(),
                        p["charged"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn an_approved_payment_is_charged_once_whatever_the_retries() {
    let sim = start().await;
    let (status, a) = post(&sim, "/paysim/v1/payments", pay("att-1", "849.10")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(a["status"], "approved");
    assert_eq!(a["amount"], "849.10");
    assert!(a["transaction_id"]
        .as_str()
        .is_some_and(|t| t.starts_with("SIM-")));
    assert!(a["auth_code"].is_string());
    assert!(a["rrn"].is_string());
    assert!(a["card_mask"]
        .as_str()
        .is_some_and(|m| m.starts_with("220220******")));
    assert!(a["paid_at"].as_str().is_some_and(|t| t.len() == 19));
    assert_eq!(a["reason"], Value::Null);

    let (_, again) = post(&sim, "/paysim/v1/payments", pay("att-1", "849.10")).await;
    assert_eq!(again, a, "a repeat returns the stored record");
    let (status, fetched) = get(&sim, "/paysim/v1/payments/att-1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, a);
    assert_eq!(
        charged(&sim).await,
        vec![("att-1".to_string(), "849.10".to_string())]
    );
    assert_eq!(sim.payments().len(), 1);

    // Reusing the attempt id for another amount is refused.
    let (status, body) = post(&sim, "/paysim/v1/payments", pay("att-1", "10.00")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"], "attempt_conflict");
}

#[tokio::test]
async fn declined_and_cancelled_payments_charge_nothing() {
    let sim = start().await;
    sim.set_payment_outcome(PaymentOutcomeMode::Decline, 0);
    let (_, d) = post(&sim, "/paysim/v1/payments", pay("att-d", "100.00")).await;
    assert_eq!(d["status"], "declined");
    assert_eq!(d["reason"], "Недостаточно средств");
    assert_eq!(d["auth_code"], Value::Null);

    let (status, _) = post(&sim, "/_sim/payment", json!({ "outcome": "cancel" })).await;
    assert_eq!(status, StatusCode::OK);
    let (_, c) = post(&sim, "/paysim/v1/payments", pay("att-c", "100.00")).await;
    assert_eq!(c["status"], "cancelled");
    assert!(c["reason"].is_string());
    for (_, amount) in charged(&sim).await {
        assert_eq!(amount, "0.00");
    }
}

#[tokio::test]
async fn unknown_attempts_are_404_and_bad_requests_400() {
    let sim = start().await;
    let (status, body) = get(&sim, "/paysim/v1/payments/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({ "error": "not_found" }));
    let (status, _) = post(&sim, "/paysim/v1/payments/nope/cancel", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = post(
        &sim,
        "/paysim/v1/payments/nope/refund",
        json!({ "amount": "1.00" }),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = post(&sim, "/paysim/v1/payments", pay("x", "-5")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_amount");
    let (status, _) = post(&sim, "/paysim/v1/payments", pay("x", "1.005")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = post(&sim, "/paysim/v1/payments", json!({ "amount": "1.00" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(sim.payments().is_empty());
}

#[tokio::test]
async fn cancel_reverses_and_refund_is_idempotent() {
    let sim = start().await;
    post(&sim, "/paysim/v1/payments", pay("att-r", "500.00")).await;
    let (status, r1) = post(
        &sim,
        "/paysim/v1/payments/att-r/refund",
        json!({ "amount": "500.00" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r1["status"], "refunded");
    assert_eq!(r1["amount"], "500.00");
    assert_eq!(r1["attempt_id"], "att-r");
    let (_, r2) = post(
        &sim,
        "/paysim/v1/payments/att-r/refund",
        json!({ "amount": "500.00" }),
    )
    .await;
    assert_eq!(r1["refund_id"], r2["refund_id"]);
    let views = sim.payments();
    assert_eq!(views[0].refunds.len(), 1);
    assert_eq!(views[0].charged, "0.00");

    post(&sim, "/paysim/v1/payments", pay("att-x", "300.00")).await;
    let (status, c) = post(&sim, "/paysim/v1/payments/att-x/cancel", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(c["status"], "cancelled");
    let (status, body) = post(&sim, "/paysim/v1/payments/att-x/refund", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"], "not_approved");
    let x = sim
        .payments()
        .into_iter()
        .find(|p| p.attempt_id == "att-x")
        .expect("att-x");
    assert!(x.reversed);
    assert_eq!(x.charged, "0.00");

    post(&sim, "/paysim/v1/payments", pay("att-big", "10.00")).await;
    let (status, body) = post(
        &sim,
        "/paysim/v1/payments/att-big/refund",
        json!({ "amount": "10.01" }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_amount");
}

#[tokio::test]
async fn a_tap_delay_shows_pending_then_the_outcome() {
    let sim = start().await;
    sim.set_payment_outcome(PaymentOutcomeMode::Approve, 400);
    let url = sim.url();
    let paying = tokio::spawn(async move {
        client()
            .post(format!("{url}/paysim/v1/payments"))
            .json(&pay("att-p", "42.00"))
            .send()
            .await
            .expect("pay")
            .json::<Value>()
            .await
            .expect("json")
    });
    let pending = eventually(Duration::from_secs(5), || async {
        let (status, body) = get(&sim, "/paysim/v1/payments/att-p").await;
        (status == StatusCode::OK).then_some(body)
    })
    .await;
    assert_eq!(pending["status"], "pending");
    let done = paying.await.expect("task");
    assert_eq!(done["status"], "approved");
}

#[tokio::test]
async fn cancelling_a_pending_payment_wins_over_the_terminal() {
    let sim = start().await;
    sim.set_payment_outcome(PaymentOutcomeMode::Approve, 600);
    let url = sim.url();
    let paying = tokio::spawn(async move {
        client()
            .post(format!("{url}/paysim/v1/payments"))
            .json(&pay("att-cp", "42.00"))
            .send()
            .await
            .expect("pay")
            .json::<Value>()
            .await
            .expect("json")
    });
    eventually(Duration::from_secs(5), || async {
        let (status, _) = get(&sim, "/paysim/v1/payments/att-cp").await;
        (status == StatusCode::OK).then_some(())
    })
    .await;
    let (_, c) = post(&sim, "/paysim/v1/payments/att-cp/cancel", json!({})).await;
    assert_eq!(c["status"], "cancelled");
    let done = paying.await.expect("task");
    assert_eq!(done["status"], "cancelled");
    assert_eq!(sim.payments()[0].charged, "0.00");
}

#[tokio::test]
async fn a_timeout_charges_but_withholds_the_answer() {
    let mut config = SimConfig::default();
    config.payment.outcome = PaymentOutcomeMode::Timeout;
    config.payment.hang_ms = 5_000;
    let sim = start_with(config).await;
    let r = reqwest::Client::new()
        .post(format!("{}/paysim/v1/payments", sim.url()))
        .timeout(Duration::from_millis(300))
        .json(&pay("att-t", "849.10"))
        .send()
        .await;
    assert!(r.is_err_and(|e| e.is_timeout()), "the client times out");
    // The outcome is known to the provider: approved and charged.
    let (_, rec) = get(&sim, "/paysim/v1/payments/att-t").await;
    assert_eq!(rec["status"], "approved");
    assert_eq!(sim.payments()[0].charged, "849.10");
}
