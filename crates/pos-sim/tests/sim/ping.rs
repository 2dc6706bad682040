//! `/ping` and the five token placements (§3, §5.1).

use pos_sim::DEMO_TOKEN;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn ping_reports_versions_licence_and_token_validity() {
    let sim = start().await;
    let (status, body) = get(&sim, "/api/v3/ping").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["procart_version"], "1.9.1.64");
    assert_eq!(body["token_valid"], true);
    assert_eq!(body["cash_server_available"], true);
    assert_eq!(body["license"]["valid"], true);
    assert!(body["server_time"].as_str().is_some_and(|t| t.len() == 19));
    assert_eq!(body["source_name"], "Киоск самообслуживания №1");

    // Without a token, ping still answers 200 and says the token is not valid.
    let r = client()
        .get(format!("{}/api/v3/ping", sim.url()))
        .send()
        .await
        .expect("ping");
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["token_valid"], false);

    let r = client()
        .get(format!("{}/api/v3/ping", sim.url()))
        .header("token", "not-a-token")
        .send()
        .await
        .expect("ping");
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["token_valid"], false);
}

#[tokio::test]
async fn the_token_is_accepted_from_every_documented_place() {
    let sim = start().await;
    let url = format!("{}/api/v3/validate", sim.url());
    let cart = json!({ "items": [ { "code": 1905, "quantity": 1 } ] });
    let c = client();
    let attempts = [
        c.post(&url).header("token", DEMO_TOKEN).json(&cart),
        c.post(&url).header("X-Token", DEMO_TOKEN).json(&cart),
        c.post(&url).bearer_auth(DEMO_TOKEN).json(&cart),
        c.post(format!("{url}?token={DEMO_TOKEN}")).json(&cart),
        c.post(&url)
            .json(&json!({ "token": DEMO_TOKEN, "items": [ { "code": 1905, "quantity": 1 } ] })),
    ];
    for (i, a) in attempts.into_iter().enumerate() {
        let r = a.send().await.expect("request");
        assert_eq!(r.status(), StatusCode::OK, "placement #{i}");
    }
}

#[tokio::test]
async fn a_missing_or_unknown_token_is_401_with_the_envelope() {
    let sim = start().await;
    let (status, body) = post_anon(&sim, "/api/v3/validate", json!({ "items": [] })).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "UNAUTHORIZED");
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));

    for path in ["/api/v3/getmenu", "/api/v3/getorders"] {
        let r = client()
            .get(format!("{}{path}", sim.url()))
            .header("token", "wrong")
            .send()
            .await
            .expect("request");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    // Tokens can be changed at run time: the old one stops working.
    sim.update_settings(|s| s.tokens = vec!["kiosk-2".into()]);
    let (status, _) = get(&sim, "/api/v3/getmenu").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let r = client()
        .get(format!("{}/api/v3/getmenu", sim.url()))
        .header("token", "kiosk-2")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn unknown_methods_and_malformed_bodies_get_the_envelope() {
    let sim = start().await;
    let (status, body) = get(&sim, "/api/v3/nosuchmethod").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "NOT_FOUND");

    let r = client()
        .post(format!("{}/api/v3/validate", sim.url()))
        .header("token", DEMO_TOKEN)
        .header("content-type", "application/json")
        .body("{\"items\": [ {\"code\": ")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.expect("json");
    assert_eq!(error_code(&body), "BAD_REQUEST");

    // Wrong types are 422 too, and the server keeps serving.
    let (status, body) = post(
        &sim,
        "/api/v3/validate",
        json!({ "items": [ { "code": "burger" } ] }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(&body), "BAD_REQUEST");
    let (status, _) = get(&sim, "/api/v3/ping").await;
    assert_eq!(status, StatusCode::OK);
}
