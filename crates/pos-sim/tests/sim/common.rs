//! Helpers shared by the tests: start a simulator, call it, read money exactly.

use std::str::FromStr;
use std::time::{Duration, Instant};

use pos_sim::{SimConfig, SimServer, DEMO_TOKEN};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::Value;

pub async fn start() -> SimServer {
    start_with(SimConfig::default()).await
}

pub async fn start_with(config: SimConfig) -> SimServer {
    pos_sim::spawn(config).await.expect("the simulator starts")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

/// POST a JSON body with the demo token in the `token` header.
pub async fn post(sim: &SimServer, path: &str, body: Value) -> (StatusCode, Value) {
    let r = client()
        .post(format!("{}{}", sim.url(), path))
        .header("token", DEMO_TOKEN)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = r.status();
    let text = r.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// GET with the demo token in the `token` header.
pub async fn get(sim: &SimServer, path: &str) -> (StatusCode, Value) {
    let r = client()
        .get(format!("{}{}", sim.url(), path))
        .header("token", DEMO_TOKEN)
        .send()
        .await
        .expect("request");
    let status = r.status();
    let text = r.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// POST without any token.
pub async fn post_anon(sim: &SimServer, path: &str, body: Value) -> (StatusCode, Value) {
    let r = client()
        .post(format!("{}{}", sim.url(), path))
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = r.status();
    let text = r.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A JSON number (or string) as an exact decimal: serde_json prints a number in its shortest
/// round-trip form, which for amounts is the literal the server wrote (less trailing zeros).
pub fn money(v: &Value) -> Decimal {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Decimal::from_str(&text).unwrap_or_else(|_| panic!("not an amount: {v}"))
}

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal literal")
}

/// Polls `f` until it returns `Some`, or panics after `deadline`.
pub async fn eventually<T, F, Fut>(deadline: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let until = Instant::now() + deadline;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            Instant::now() < until,
            "condition not met within {deadline:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The cart used by several tests: a cheeseburger with modifiers, a combo and drinks.
///
/// Eat-in prices: 2 × 189.90 = 379.80, sauce 30.00 × 1 × 2 = 60.00, double cheese
/// 49.90 × 2 × 2 = 199.60; combo 399.90 + 90.00 + 20.00 + 20.00 = 529.90 (10% auto discount
/// 52.99); 3 × 99.90 = 299.70. Sum 1469.00, total 1416.01.
pub fn sample_cart() -> Value {
    serde_json::json!({
        "order_category_code": 1,
        "items": [
            { "code": 1001, "quantity": 2,
              "modifiers": [ { "code": 5003, "quantity": 1 }, { "code": 5011, "quantity": 2 } ] },
            { "code": 3001, "quantity": 1, "combo_items": [
                { "group_code": 301, "code": 1003, "quantity": 1, "modifiers": [ { "code": 5001 } ] },
                { "group_code": 302, "code": 1202, "quantity": 1, "modifiers": [ { "code": 5301 } ] },
                { "group_code": 303, "code": 1904, "quantity": 1 }
            ] },
            { "code": 1905, "quantity": 3 }
        ]
    })
}

pub fn error_code(v: &Value) -> &str {
    v["code"].as_str().unwrap_or("<no code>")
}
