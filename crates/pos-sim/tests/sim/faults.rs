//! Fault injection, per method, switched at run time over HTTP and from Rust.

use std::time::{Duration, Instant};

use pos_sim::{Fault, FaultKind, DEMO_TOKEN};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

async fn raw_post(
    sim: &pos_sim::SimServer,
    path: &str,
    body: &Value,
    timeout: Duration,
) -> reqwest::Result<reqwest::Response> {
    reqwest::Client::new()
        .post(format!("{}{}", sim.url(), path))
        .header("token", DEMO_TOKEN)
        .timeout(timeout)
        .json(body)
        .send()
        .await
}

fn cart(external_id: &str) -> Value {
    json!({ "external_id": external_id, "items": [ { "code": 1905 } ] })
}

#[tokio::test]
async fn http_errors_fire_the_given_number_of_times() {
    let sim = start().await;
    let (status, _) = post(
        &sim,
        "/_sim/faults",
        json!({ "method": "validate", "kind": "http_error", "status": 502, "times": 1 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = post(&sim, "/api/v3/validate", cart("x")).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(error_code(&body), "INTERNAL");
    let (status, _) = post(&sim, "/api/v3/validate", cart("x")).await;
    assert_eq!(status, StatusCode::OK, "used up after one call");
    // Other methods were never affected, and the list is empty now.
    assert!(sim.faults().is_empty());
}

#[tokio::test]
async fn a_reset_drops_the_connection_and_does_nothing() {
    let sim = start().await;
    sim.add_fault(Fault::new("postorder", FaultKind::ConnectionReset).times(1));
    let r = raw_post(
        &sim,
        "/api/v3/postorder",
        &cart("r1"),
        Duration::from_secs(5),
    )
    .await;
    assert!(r.is_err(), "no answer: {r:?}");
    assert!(sim.orders().is_empty());
    let r = raw_post(
        &sim,
        "/api/v3/postorder",
        &cart("r1"),
        Duration::from_secs(5),
    )
    .await;
    assert!(r.is_ok_and(|r| r.status() == StatusCode::OK));
}

#[tokio::test]
async fn commit_then_drop_creates_the_order_but_loses_the_answer() {
    let sim = start().await;
    sim.add_fault(Fault::new("postorder", FaultKind::CommitThenDrop).times(1));
    let r = raw_post(
        &sim,
        "/api/v3/postorder",
        &cart("lost-1"),
        Duration::from_secs(5),
    )
    .await;
    assert!(r.is_err(), "no answer: {r:?}");
    let orders = sim.orders();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].external_id.as_deref(), Some("lost-1"));
    // The kiosk reconciles by external id, then a re-post returns the same order.
    let (_, found) = post(
        &sim,
        "/api/v3/getorders",
        json!({ "external_ids": ["lost-1"] }),
    )
    .await;
    assert_eq!(found["orders"][0]["guid"], orders[0].guid.as_str());
    let (status, again) = post(&sim, "/api/v3/postorder", cart("lost-1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["guid"], orders[0].guid.as_str());
    assert_eq!(sim.orders().len(), 1);
}

#[tokio::test]
async fn a_hang_times_the_client_out() {
    let sim = start().await;
    sim.add_fault(
        Fault::new("validate", FaultKind::Hang)
            .hang_ms(3_000)
            .times(1),
    );
    let r = raw_post(
        &sim,
        "/api/v3/validate",
        &cart("h"),
        Duration::from_millis(200),
    )
    .await;
    assert!(r.is_err_and(|e| e.is_timeout()));
    sim.add_fault(
        Fault::new("postorder", FaultKind::CommitThenHang)
            .hang_ms(3_000)
            .times(1),
    );
    let r = raw_post(
        &sim,
        "/api/v3/postorder",
        &cart("h2"),
        Duration::from_millis(300),
    )
    .await;
    assert!(r.is_err_and(|e| e.is_timeout()));
    assert_eq!(sim.orders().len(), 1, "committed before hanging");
}

#[tokio::test]
async fn malformed_and_truncated_bodies() {
    let sim = start().await;
    sim.add_fault(Fault::new("getmenu", FaultKind::MalformedJson).times(1));
    let r = client()
        .get(format!("{}/api/v3/getmenu", sim.url()))
        .header("token", DEMO_TOKEN)
        .send()
        .await
        .expect("getmenu");
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.expect("text");
    assert!(serde_json::from_str::<Value>(&text).is_err(), "not JSON");

    sim.add_fault(Fault::new("getmenu", FaultKind::TruncatedBody).times(1));
    let r = client()
        .get(format!("{}/api/v3/getmenu", sim.url()))
        .header("token", DEMO_TOKEN)
        .send()
        .await;
    let complete = match r {
        Ok(r) => match r.bytes().await {
            Ok(b) => serde_json::from_slice::<Value>(&b).is_ok(),
            Err(_) => false,
        },
        Err(_) => false,
    };
    assert!(!complete, "the body must not arrive whole");
    // Afterwards everything is back to normal.
    let (status, _) = get(&sim, "/api/v3/getmenu").await;
    assert_eq!(status, StatusCode::OK);
}

/// Off a raw socket, not through an HTTP client that would hide how the answer broke: the head
/// arrives whole with the full `Content-Length`, then exactly the first half of the body, then
/// a clean end of stream (not a reset).
#[tokio::test]
async fn a_truncated_body_is_the_head_and_half_the_body_then_the_end() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let sim = start().await;
    let whole = client()
        .get(format!("{}/api/v3/getmenu", sim.url()))
        .header("token", DEMO_TOKEN)
        .send()
        .await
        .expect("getmenu")
        .bytes()
        .await
        .expect("body");
    sim.add_fault(Fault::new("getmenu", FaultKind::TruncatedBody).times(1));

    let mut socket = tokio::net::TcpStream::connect(sim.addr)
        .await
        .expect("connect");
    let request = format!(
        "GET /api/v3/getmenu HTTP/1.1\r\nhost: {}\r\ntoken: {DEMO_TOKEN}\r\n\r\n",
        sim.addr
    );
    socket.write_all(request.as_bytes()).await.expect("send");
    let mut received = Vec::new();
    socket
        .read_to_end(&mut received)
        .await
        .expect("the stream ends cleanly, it is not reset");

    let split = received
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&received[..split]).to_lowercase();
    let body = &received[split + 4..];
    assert!(head.starts_with("http/1.1 200 ok\r\n"), "{head}");
    assert!(
        head.contains(&format!("\r\ncontent-length: {}", whole.len())),
        "the full length is promised: {head}"
    );
    assert!(
        head.contains("\r\ncontent-type: application/json"),
        "{head}"
    );
    assert_eq!(body, &whole[..whole.len() / 2], "half the body, as it was");

    let (status, _) = get(&sim, "/api/v3/getmenu").await;
    assert_eq!(status, StatusCode::OK, "the fault was used up");
}

#[tokio::test]
async fn latency_is_added() {
    let sim = start().await;
    sim.add_fault(
        Fault::new("ping", FaultKind::Latency)
            .latency_ms(250)
            .times(1),
    );
    let started = Instant::now();
    let (status, _) = get(&sim, "/api/v3/ping").await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[tokio::test]
async fn token_licence_and_cash_server_conditions() {
    let sim = start().await;
    let (status, _) = post(
        &sim,
        "/_sim/faults",
        json!([
            { "kind": "cash_server_down" },
            { "method": "getorders", "kind": "invalid_token" }
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, ping) = get(&sim, "/api/v3/ping").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ping["cash_server_available"], false);
    let (status, body) = post(&sim, "/api/v3/validate", cart("c")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error_code(&body), "CASH_SERVER_UNAVAILABLE");

    let r = client()
        .delete(format!("{}/_sim/faults", sim.url()))
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), StatusCode::OK);
    sim.add_fault(Fault::new("getorders", FaultKind::InvalidToken));
    sim.add_fault(Fault::new("ping", FaultKind::InvalidToken));
    let (status, body) = post(&sim, "/api/v3/getorders", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "UNAUTHORIZED");
    let (_, ping) = get(&sim, "/api/v3/ping").await;
    assert_eq!(ping["token_valid"], false);

    sim.clear_faults();
    sim.add_fault(Fault {
        method: None,
        ..Fault::new("*", FaultKind::LicenceExpired)
    });
    let (_, ping) = get(&sim, "/api/v3/ping").await;
    assert_eq!(ping["license"]["valid"], false);
    let (status, body) = get(&sim, "/api/v3/getmenu").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error_code(&body), "LICENSE_INVALID");
    // Payments are not a ProCart method: a "*" fault leaves them alone.
    let (status, _) = post(
        &sim,
        "/paysim/v1/payments",
        json!({ "attempt_id": "a", "amount": "1.00" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    sim.clear_faults();
    let (status, _) = get(&sim, "/api/v3/getmenu").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn payment_faults_are_opt_in() {
    let sim = start().await;
    sim.add_fault(Fault::new("payments", FaultKind::ConnectionReset).times(1));
    let r = raw_post(
        &sim,
        "/paysim/v1/payments",
        &json!({ "attempt_id": "p1", "amount": "5.00" }),
        Duration::from_secs(5),
    )
    .await;
    assert!(r.is_err());
    assert!(sim.payments().is_empty(), "reset before the charge");
    let (status, body) = get(&sim, "/_sim/faults").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["faults"], json!([]));
}
