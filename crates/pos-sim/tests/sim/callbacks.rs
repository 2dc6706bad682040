//! Push notifications to `callback_url`, with retries and back-off (§6.12).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode as AxStatus;
use axum::routing::post as ax_post;
use axum::{Json, Router};
use pos_sim::{OrderAction, SimConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

/// A receiver that fails the first `fail_first` calls with 500.
#[derive(Clone, Default)]
struct Receiver {
    calls: Arc<AtomicUsize>,
    fail_first: usize,
    bodies: Arc<Mutex<Vec<Value>>>,
}

async fn receive(State(r): State<Receiver>, Json(body): Json<Value>) -> AxStatus {
    let n = r.calls.fetch_add(1, Ordering::SeqCst);
    if n < r.fail_first {
        return AxStatus::INTERNAL_SERVER_ERROR;
    }
    r.bodies.lock().map(|mut b| b.push(body)).ok();
    AxStatus::NO_CONTENT
}

async fn start_receiver(fail_first: usize) -> (String, Receiver) {
    let r = Receiver {
        fail_first,
        ..Receiver::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = Router::new()
        .route("/cb", ax_post(receive))
        .with_state(r.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/cb"), r)
}

fn fast_config() -> SimConfig {
    let mut c = SimConfig::default();
    c.procart.settings.callback_backoff_ms = vec![20, 40, 60, 80];
    c
}

#[tokio::test]
async fn bill_close_and_delete_are_pushed_and_open_is_not() {
    let (url, rx) = start_receiver(0).await;
    let sim = start_with(fast_config()).await;
    let (_, o) = post(
        &sim,
        "/api/v3/postorder",
        json!({ "external_id": "cb-1", "callback_url": url, "items": [ { "code": 1905 } ] }),
    )
    .await;
    let guid = o["guid"].as_str().expect("guid").to_string();
    sim.order_action(&guid, OrderAction::Precheck)
        .expect("precheck");
    sim.order_action(&guid, OrderAction::CancelPrecheck)
        .expect("cancel precheck");
    sim.order_action(&guid, OrderAction::Pay).expect("pay");
    let bodies = eventually(Duration::from_secs(5), || async {
        let b = rx.bodies.lock().map(|b| b.clone()).unwrap_or_default();
        (b.len() >= 2).then_some(b)
    })
    .await;
    let mut statuses: Vec<&str> = bodies.iter().filter_map(|b| b["status"].as_str()).collect();
    statuses.sort();
    assert_eq!(
        statuses,
        vec!["bill", "close"],
        "the return to open is not pushed"
    );
    let close = bodies
        .iter()
        .find(|b| b["status"] == "close")
        .expect("close");
    assert_eq!(close["guid"], guid.as_str());
    assert_eq!(close["external_id"], "cb-1");
    assert_eq!(close["previous_status"], "open");
    assert_eq!(money(&close["total"]), dec("99.90"));
    assert_eq!(money(&close["paid_sum"]), dec("99.90"));
    assert!(close["changed_at"].is_string());

    // Deleting another order pushes `deleted`.
    let (_, o2) = post(
        &sim,
        "/api/v3/postorder",
        json!({ "callback_url": url, "items": [ { "code": 1905 } ] }),
    )
    .await;
    let g2 = o2["guid"].as_str().expect("guid").to_string();
    let (status, _) = post(
        &sim,
        &format!(
            "/_sim/orders/{}/delete",
            g2.replace('{', "%7B").replace('}', "%7D")
        ),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    eventually(Duration::from_secs(5), || async {
        let b = rx.bodies.lock().map(|b| b.clone()).unwrap_or_default();
        b.iter()
            .any(|b| b["status"] == "deleted" && b["guid"] == g2.as_str())
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_failing_receiver_is_retried_with_back_off_then_succeeds() {
    let (url, rx) = start_receiver(2).await;
    let sim = start_with(fast_config()).await;
    let (_, o) = post(
        &sim,
        "/api/v3/postorder",
        json!({ "callback_url": url, "items": [ { "code": 1905 } ] }),
    )
    .await;
    let guid = o["guid"].as_str().expect("guid").to_string();
    sim.order_action(&guid, OrderAction::Precheck)
        .expect("precheck");
    let log = eventually(Duration::from_secs(5), || async {
        let log = sim.callbacks();
        log.iter().any(|c| c.outcome == "delivered").then_some(log)
    })
    .await;
    let attempts: Vec<(u32, &str)> = log
        .iter()
        .map(|c| (c.attempt, c.outcome.as_str()))
        .collect();
    assert_eq!(
        attempts,
        vec![(1, "failed"), (2, "failed"), (3, "delivered")]
    );
    assert_eq!(log[0].http_status, Some(500));
    assert_eq!(rx.calls.load(Ordering::SeqCst), 3);

    let (_, over_http) = get(&sim, "/_sim/callbacks").await;
    assert_eq!(over_http["callbacks"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn delivery_gives_up_after_the_attempt_limit() {
    let (url, rx) = start_receiver(usize::MAX).await;
    let sim = start_with(fast_config()).await;
    sim.update_settings(|s| s.callback_max_attempts = 3);
    let (_, o) = post(
        &sim,
        "/api/v3/postorder",
        json!({ "callback_url": url, "items": [ { "code": 1905 } ] }),
    )
    .await;
    sim.order_action(o["guid"].as_str().expect("guid"), OrderAction::Delete)
        .expect("delete");
    let log = eventually(Duration::from_secs(5), || async {
        let log = sim.callbacks();
        log.iter().any(|c| c.outcome == "gave_up").then_some(log)
    })
    .await;
    assert_eq!(log.len(), 3);
    assert_eq!(rx.calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn push_statuses_are_configurable_and_unreachable_receivers_are_logged() {
    let sim = start_with(fast_config()).await;
    let (status, _) = post(
        &sim,
        "/_sim/config",
        json!({ "push_statuses": ["bill"], "callback_max_attempts": 1 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Nothing listens on port 9 of loopback: a connection error is logged.
    let (_, o) = post(
        &sim,
        "/api/v3/postorder",
        json!({ "callback_url": "http://127.0.0.1:9/cb", "items": [ { "code": 1905 } ] }),
    )
    .await;
    let guid = o["guid"].as_str().expect("guid").to_string();
    sim.order_action(&guid, OrderAction::Precheck)
        .expect("precheck");
    sim.order_action(&guid, OrderAction::Pay).expect("pay");
    let log = eventually(Duration::from_secs(5), || async {
        let log = sim.callbacks();
        (!log.is_empty()).then_some(log)
    })
    .await;
    assert_eq!(log[0].status, "bill");
    assert_eq!(log[0].outcome, "gave_up");
    assert!(log[0].error.is_some());
    // `close` is not in push_statuses, so no record of it is ever scheduled.
    assert!(sim.callbacks().iter().all(|c| c.status == "bill"));
}
