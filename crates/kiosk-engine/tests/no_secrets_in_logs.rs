//! No secret in the logs: full orders (ProCart with push notifications on, and Jupiter) run
//! against the simulators with tracing at TRACE for every crate, writing through the kiosk's
//! own log files; then every line is searched for the token, the server id, the kiosk user's
//! password, the notification path secret and card numbers.
//!
//! Nothing is registered with the scrubber (`logs::redact`): the test proves the code never
//! logs a secret in the first place, not that the scrubber hides it.

mod support;

use std::sync::Arc;
use std::time::Duration;

use kiosk_core::cart::{Cart, CartLine, OrderType};
use kiosk_core::catalog::Catalog;
use kiosk_core::checkout::CheckoutState;
use kiosk_core::view::CheckoutResult;
use kiosk_engine::engine::Engine;
use kiosk_engine::logs::{self, LogSettings};
use kiosk_engine::secrets::{MemorySecrets, SecretStore};
use kiosk_engine::KioskConfig;
use pos_sim::SimConfig;
use support::{demo_config, fast, simple_line, spawn_pos};

/// A dish the customer can order without choosing anything.
fn simple_cart(c: &Catalog) -> Cart {
    Cart {
        order_type: OrderType::EatIn,
        lines: vec![CartLine {
            comment: Some("no onion".into()),
            ..simple_line(c, 2)
        }],
    }
}

async fn order(engine: &Arc<Engine>) {
    engine.start_background();
    let menu = engine.menu_view().await.unwrap();
    let cart = simple_cart(&menu.catalog);
    let total = engine.price(1, cart.clone()).await.unwrap().quote.total;
    let result = engine
        .checkout(cart, total, Arc::new(|_| {}))
        .await
        .unwrap();
    let CheckoutResult::Placed { order } = result else {
        panic!("not placed: {result:?}")
    };
    // Up to 30 s: a loaded CI machine may be slow, and the wait ends as soon as it is there.
    for _ in 0..1200 {
        let v = engine.order_view(&order.checkout_id).unwrap();
        if matches!(v.state, CheckoutState::Posted | CheckoutState::Tracking) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "the order never reached the POS: {:?}",
        engine.order_view(&order.checkout_id).unwrap()
    );
}

/// Runs of 13 or more digits: a card number (masked ones such as `220220******1234` are fine).
fn card_numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    for ch in text.chars().chain(std::iter::once(' ')) {
        if ch.is_ascii_digit() {
            run.push(ch);
        } else {
            if run.len() >= 13 {
                out.push(run.clone());
            }
            run.clear();
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_order_logs_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let log_dir = dir.path().join("logs");
    logs::init(&LogSettings {
        filter: "trace".into(),
        stderr: false,
        ..LogSettings::new(&log_dir)
    })
    .unwrap();

    // ProCart, with notifications on: the path secret travels in every order.
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let mut config = KioskConfig::demo(&sim.url(), dir.path().join("procart"));
    config.callbacks = Some(kiosk_engine::config::CallbackSection {
        listen: "127.0.0.1:0".into(),
        public_url: None,
    });
    let secrets = MemorySecrets::with("pos-token", pos_sim::DEMO_TOKEN);
    let engine = Engine::from_config(config, &secrets, fast()).unwrap();
    let callback_secret = secrets
        .get(kiosk_engine::engine::CALLBACK_SECRET)
        .unwrap()
        .expect("a notification secret was made");
    assert!(engine
        .callback_url
        .as_deref()
        .unwrap()
        .ends_with(&callback_secret));
    order(&engine).await;
    // A notification arrives on the secret path, as ProCart sends it.
    let ext = sim.control().orders()[0].external_id.clone().unwrap();
    let guid = sim.control().orders()[0].guid.clone();
    let resp = reqwest::Client::new()
        .post(engine.callback_url.clone().unwrap())
        .json(&serde_json::json!({"guid": guid, "external_id": ext, "status": "bill"}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    sim.stop().await;

    // Jupiter: a server id and the kiosk user's password.
    let jsim = spawn_pos(pos_sim::PosKind::Jupiter).await;
    let (config, secrets) = demo_config(
        pos_sim::PosKind::Jupiter,
        &jsim.url(),
        dir.path().join("jupiter"),
    );
    let engine = Engine::from_config(config, &secrets, fast()).unwrap();
    order(&engine).await;
    jsim.stop().await;

    let mut text = String::new();
    for f in logs::files(&log_dir) {
        text.push_str(&std::fs::read_to_string(f).unwrap());
    }
    let lines = text.lines().count();
    // The log is real: the orders are in it, as JSON lines from several crates.
    assert!(lines > 50, "only {lines} lines logged");
    assert!(text.contains("checkout step"), "no checkout in the log");
    for line in text.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
    }
    for (what, secret) in [
        ("the ProCart token", pos_sim::DEMO_TOKEN),
        ("the Jupiter server id", pos_sim::jupiter::SERVER_ID),
        (
            "the Jupiter user's password",
            pos_sim::jupiter::KIOSK_PASSWORD,
        ),
        ("the notification secret", callback_secret.as_str()),
    ] {
        let hits: Vec<&str> = text.lines().filter(|l| leaks(l, secret)).collect();
        assert!(
            hits.is_empty(),
            "{what} is in {} log lines, e.g. {}",
            hits.len(),
            hits[0]
        );
    }
    assert_eq!(
        card_numbers(&text),
        Vec::<String>::new(),
        "card numbers in the log"
    );
}

/// Whether `line` carries `secret`. A short secret (the simulator's 4-digit kiosk password)
/// also occurs by chance inside ports, timestamps and ids, so it counts only as a token of its
/// own: not glued to other letters or digits.
fn leaks(line: &str, secret: &str) -> bool {
    if secret.len() >= 12 {
        return line.contains(secret);
    }
    line.match_indices(secret).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + secret.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[test]
fn a_short_secret_counts_only_as_a_token_of_its_own() {
    assert!(leaks(r#"{"password":"1111"}"#, "1111"));
    assert!(leaks("password=1111 user=x", "1111"));
    assert!(!leaks(
        r#"{"port":41111,"at":"2026-11-23T04:11:11.5"}"#,
        "1111"
    ));
    assert!(leaks(
        "token 28bb0d65-d1a3-447d-a3eb-e4961b0ffd35x",
        "28bb0d65-d1a3-447d-a3eb-e4961b0ffd35"
    ));
}
