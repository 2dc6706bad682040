//! The simulators as black boxes: the `sb_pilot` binary's files, output and exit code, and the
//! HTTP APIs with their admin routes.

use std::process::Command;

use pay_sim::sbpilot::{Ledger, SbPilotSimConfig, Scenario, CONFIG_ENV, SCENARIO_ENV};
use serde_json::{json, Map, Value};

fn koi8(bytes: &[u8]) -> String {
    encoding_rs::KOI8_R.decode(bytes).0.into_owned()
}

#[test]
fn sb_pilot_writes_koi8r_files_and_always_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sim.json");
    SbPilotSimConfig::with(Scenario::Decline)
        .write(&cfg)
        .unwrap();
    let run = |args: &[&str], scenario: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_sb_pilot"));
        c.args(args).current_dir(dir.path()).env(CONFIG_ENV, &cfg);
        if let Some(s) = scenario {
            c.env(SCENARIO_ENV, s);
        }
        c.output().unwrap()
    };
    let out = run(&["1", "84910"], None);
    assert!(out.status.success(), "a decline still exits 0");
    let stdout = koi8(&out.stdout);
    assert!(stdout.contains("return:4451"), "{stdout}");
    let e = koi8(&std::fs::read(dir.path().join("e")).unwrap());
    assert!(e.starts_with("4451,ОТКАЗ"), "{e}");
    assert!(
        std::fs::read(dir.path().join("e"))
            .unwrap()
            .iter()
            .any(|b| *b >= 0xc0),
        "KOI8-R bytes"
    );

    let out = run(&["1", "84910"], Some("approve"));
    assert!(out.status.success());
    let e = koi8(&std::fs::read(dir.path().join("e")).unwrap());
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines[0], "0,ОДОБРЕНО");
    assert_eq!(lines.len(), 14);
    let reference = lines[9].to_string();
    assert!(koi8(&std::fs::read(dir.path().join("p")).unwrap()).contains(&reference));

    let out = run(&["3", "84910", "0", "QSELECT", &reference], Some("approve"));
    assert!(koi8(&out.stdout).contains("return:0"));
    let ledger = Ledger::read(&pay_sim::sbpilot::ledger_path_for(&cfg));
    assert_eq!(ledger.charged(), 0);

    // A crash is the one case without exit code 0.
    let out = run(&["1", "100"], Some("crash_after_result"));
    assert!(!out.status.success());
    assert!(!koi8(&out.stdout).contains("return:"));
}

fn sign(mut m: Map<String, Value>) -> Value {
    m.insert(
        "TerminalKey".into(),
        pay_sim::tbank::DEMO_TERMINAL_KEY.into(),
    );
    let t = pay_sim::tbank::token(&m, pay_sim::tbank::DEMO_PASSWORD);
    m.insert("Token".into(), t.into());
    Value::Object(m)
}

fn map(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[tokio::test]
async fn tbank_over_http_with_admin_routes() {
    let sim = pay_sim::tbank::spawn(Default::default()).await.unwrap();
    let http = reqwest::Client::new();
    let call = |method: &str, body: Value| {
        http.post(format!("{}/{method}", sim.api_url()))
            .json(&body)
            .send()
    };
    let init: Value = call("Init", sign(map(json!({"Amount": 1000, "OrderId": "o-1"}))))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(init["Status"], "NEW", "{init}");
    let again: Value = call("Init", sign(map(json!({"Amount": 1000, "OrderId": "o-1"}))))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["ErrorCode"], "20");
    let mut bad = map(sign(map(json!({"OrderId": "o-1"}))));
    bad.insert("Token".into(), "00".into());
    let refused: Value = call("CheckOrder", Value::Object(bad))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(refused["ErrorCode"], "204");

    let paid: Value = http
        .post(format!("{}/_sim/payments/o-1/pay", sim.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(paid["status"], "CONFIRMED");
    let state: Value = call(
        "GetState",
        sign(map(json!({"PaymentId": init["PaymentId"]}))),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(state["Status"], "CONFIRMED");
    let faults = http
        .post(format!("{}/_sim/faults", sim.url()))
        .json(&json!({"method": "GetState", "kind": "http_500", "times": 1}))
        .send()
        .await
        .unwrap();
    assert!(faults.status().is_success(), "{:?}", faults.text().await);
    let failed = call(
        "GetState",
        sign(map(json!({"PaymentId": init["PaymentId"]}))),
    )
    .await
    .unwrap();
    assert_eq!(failed.status(), 500);
}

#[tokio::test]
async fn yookassa_requires_auth_and_a_key() {
    let sim = pay_sim::yookassa::spawn(Default::default()).await.unwrap();
    let http = reqwest::Client::new();
    let body = json!({"amount": {"value": "10.00", "currency": "RUB"}, "capture": true,
        "payment_method_data": {"type": "sbp"}, "confirmation": {"type": "qr"}});
    let url = format!("{}/payments", sim.api_url());
    let no_auth = http.post(&url).json(&body).send().await.unwrap();
    assert_eq!(no_auth.status(), 401);
    let no_key = http
        .post(&url)
        .basic_auth(
            pay_sim::yookassa::DEMO_SHOP_ID,
            Some(pay_sim::yookassa::DEMO_SECRET_KEY),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status(), 400);
    let two_stage = http
        .post(&url)
        .basic_auth(
            pay_sim::yookassa::DEMO_SHOP_ID,
            Some(pay_sim::yookassa::DEMO_SECRET_KEY),
        )
        .header("Idempotence-Key", "k-2")
        .json(
            &json!({"amount": {"value": "10.00", "currency": "RUB"}, "capture": false,
            "payment_method_data": {"type": "sbp"}, "confirmation": {"type": "qr"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(two_stage.status(), 400, "SBP has no two-stage payments");
    let created: Value = http
        .post(&url)
        .basic_auth(
            pay_sim::yookassa::DEMO_SHOP_ID,
            Some(pay_sim::yookassa::DEMO_SECRET_KEY),
        )
        .header("Idempotence-Key", "k-1")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created["confirmation"]["type"], "qr");
    let cancel = http
        .post(format!(
            "{}/payments/{}/cancel",
            sim.api_url(),
            created["id"].as_str().unwrap()
        ))
        .basic_auth(
            pay_sim::yookassa::DEMO_SHOP_ID,
            Some(pay_sim::yookassa::DEMO_SECRET_KEY),
        )
        .header("Idempotence-Key", "k-3")
        .send()
        .await
        .unwrap();
    assert_eq!(
        cancel.status(),
        400,
        "a pending SBP payment cannot be cancelled"
    );
}

/// Demos: a QR on screen pays itself after `auto_pay_after_ms`, as a customer's bank app would;
/// one never shown (T-Bank: no `GetQr` yet) is left alone.
#[tokio::test]
async fn qrs_pay_themselves_in_demos() {
    use std::time::Duration;
    let tbank = pay_sim::tbank::spawn(pay_sim::tbank::TbankSimConfig {
        auto_pay_after_ms: Some(200),
        ..Default::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let call = |method: &str, body: Value| {
        let url = format!("{}/{method}", tbank.api_url());
        let req = http.post(url).json(&sign(map(body)));
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let shown = call("Init", json!({"Amount": 1000, "OrderId": "auto-1"})).await;
    let hidden = call("Init", json!({"Amount": 1000, "OrderId": "auto-2"})).await;
    let shown_id = shown["PaymentId"].as_str().unwrap().to_string();
    call(
        "GetQr",
        json!({"PaymentId": shown_id, "DataType": "PAYLOAD"}),
    )
    .await;
    let status = |id: &str| {
        tbank
            .payments()
            .into_iter()
            .find(|p| p.payment_id == id)
            .unwrap()
            .status
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while status(&shown_id) != "CONFIRMED" {
        assert!(tokio::time::Instant::now() < deadline, "never paid itself");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status(hidden["PaymentId"].as_str().unwrap()), "NEW");

    let kassa = pay_sim::yookassa::spawn(pay_sim::yookassa::YookassaSimConfig {
        auto_pay_after_ms: Some(200),
        ..Default::default()
    })
    .await
    .unwrap();
    let auth = |r: reqwest::RequestBuilder| {
        r.basic_auth(
            pay_sim::yookassa::DEMO_SHOP_ID,
            Some(pay_sim::yookassa::DEMO_SECRET_KEY),
        )
    };
    let mut ids = Vec::new();
    for attempt in ["auto-3", "auto-4"] {
        let created: Value = auth(http.post(format!("{}/payments", kassa.api_url())))
            .header("Idempotence-Key", attempt)
            .json(&json!({
                "amount": {"value": "10.00", "currency": "RUB"}, "capture": true,
                "payment_method_data": {"type": "sbp"}, "confirmation": {"type": "qr"},
                "metadata": {"kiosk_attempt_id": attempt}
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(created["status"], "pending", "{created}");
        ids.push(created["id"].as_str().unwrap().to_string());
    }
    // The kiosk reads the first to show its QR; the second is never shown.
    let read = auth(http.get(format!("{}/payments/{}", kassa.api_url(), ids[0])))
        .send()
        .await
        .unwrap();
    assert!(read.status().is_success());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while kassa.payments_of("auto-3")[0].status != "succeeded" {
        assert!(tokio::time::Instant::now() < deadline, "never paid itself");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(kassa.payments_of("auto-4")[0].status, "pending");
}
