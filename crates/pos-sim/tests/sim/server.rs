//! `run`, `spawn`, `SimServer::stop` and Drop: the server's own lifecycle.

use std::time::Duration;

use pos_sim::{Fault, FaultKind, SimConfig, DEMO_TOKEN};
use reqwest::StatusCode;

use crate::common::*;

#[tokio::test]
async fn run_serves_a_given_listener_until_its_shutdown_future_completes() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(pos_sim::run(listener, SimConfig::default(), async move {
        let _ = rx.await;
    }));
    let r = client()
        .get(format!("http://{addr}/api/v3/ping"))
        .send()
        .await
        .expect("ping");
    assert_eq!(r.status(), StatusCode::OK);
    let _ = tx.send(());
    let done = tokio::time::timeout(Duration::from_secs(10), task).await;
    assert!(matches!(done, Ok(Ok(Ok(())))), "{done:?}");
}

#[tokio::test]
async fn stop_releases_requests_held_by_a_hang() {
    let sim = start().await;
    sim.add_fault(
        Fault::new("getmenu", FaultKind::Hang)
            .hang_ms(600_000)
            .times(1),
    );
    let url = format!("{}/api/v3/getmenu", sim.url());
    let held = tokio::spawn(async move {
        reqwest::Client::new()
            .get(url)
            .header("token", DEMO_TOKEN)
            .send()
            .await
    });
    // The fault is used up when the request reaches the handler.
    eventually(Duration::from_secs(5), || async {
        sim.faults().is_empty().then_some(())
    })
    .await;
    let stopped = tokio::time::timeout(Duration::from_secs(10), sim.stop()).await;
    assert!(
        stopped.is_ok(),
        "stop must not wait for the hanging request"
    );
    let answer = held.await.expect("task");
    assert!(answer.is_err(), "the held request never gets an answer");
}

#[tokio::test]
async fn dropping_the_server_stops_it() {
    let sim = start().await;
    let url = format!("{}/api/v3/ping", sim.url());
    drop(sim);
    eventually(Duration::from_secs(10), || {
        let url = url.clone();
        async move {
            let r = reqwest::Client::new()
                .get(url)
                .timeout(Duration::from_millis(500))
                .send()
                .await;
            r.is_err().then_some(())
        }
    })
    .await;
}
