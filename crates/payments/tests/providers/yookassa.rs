//! The YooKassa provider against the YooKassa simulator: the QR shown and paid, rejected,
//! expired, abandoned; the `Idempotence-Key` rules under 5xx, 202, a lost answer and a crash;
//! refunds (at once, pending, lost, refused); notifications as hints.

use std::sync::Arc;
use std::time::Duration;

use kiosk_core::payment::{PaymentOutcome, PaymentProgress, RefundOutcome};
use kiosk_core::ports::{PaymentError, PaymentProvider};
use pay_sim::yookassa::{YookassaControl, YookassaOutcome, YookassaSimConfig};
use pay_sim::{Fault, FaultKind, SimServer};
use payments::yookassa::{YookassaConfig, YookassaCredentials, YookassaProvider, YookassaTiming};

use crate::common::{eventually, money, progress, receiver, req, within};

fn timing() -> YookassaTiming {
    YookassaTiming {
        poll_every: Duration::from_millis(25),
        request_timeout: Duration::from_secs(3),
        wait_for_payment: Some(Duration::from_secs(20)),
        tries: 3,
        max_retry_after: Duration::from_millis(200),
    }
}

struct Kassa {
    sim: SimServer<YookassaControl>,
    state: tempfile::TempDir,
}

impl Kassa {
    async fn new() -> Kassa {
        Kassa {
            sim: pay_sim::yookassa::spawn(YookassaSimConfig::default())
                .await
                .unwrap(),
            state: tempfile::tempdir().unwrap(),
        }
    }

    fn provider(&self, timing: YookassaTiming) -> YookassaProvider {
        YookassaProvider::new(
            YookassaConfig::new(&self.sim.api_url(), self.state.path()),
            YookassaCredentials::new(
                pay_sim::yookassa::DEMO_SHOP_ID,
                pay_sim::yookassa::DEMO_SECRET_KEY,
            ),
        )
        .unwrap()
        .with_timing(timing)
    }
}

#[tokio::test]
async fn the_qr_is_shown_paid_and_created_once() {
    let k = Kassa::new().await;
    let p = Arc::new(k.provider(timing()));
    let (pr, mut rx) = progress();
    let task = {
        let p = p.clone();
        let sink = pr.sink();
        tokio::spawn(async move { p.start(&req("y1", "849.10"), sink).await })
    };
    let (payload, expires) = rx.qr().await;
    assert!(payload.starts_with("https://qr.nspk.ru/"), "{payload}");
    assert_eq!(expires, 20);
    k.sim.pay("y1").unwrap();
    let out = within(10, task).await.unwrap().unwrap();
    let PaymentOutcome::Approved { receipt } = &out else {
        panic!("{out:?}")
    };
    assert_eq!(receipt.provider, "yookassa");
    assert_eq!(receipt.amount, money("849.10"));
    let payments = k.sim.payments_of("y1");
    assert_eq!(payments.len(), 1);
    assert_eq!(receipt.transaction_id, payments[0].id);
    assert_eq!(payments[0].charged, "849.10");
    assert!(matches!(pr.all()[0], PaymentProgress::Started { .. }));
    assert_eq!(k.sim.idempotence_keys(), vec!["y1".to_string()]);

    // Again, and from a fresh provider (a restart): the stored record, the same payment.
    let (again, _rx) = progress();
    assert!(matches!(
        p.start(&req("y1", "849.10"), again.sink()).await.unwrap(),
        PaymentOutcome::Approved { .. }
    ));
    let fresh = k.provider(timing());
    assert!(matches!(
        fresh.status("y1").await.unwrap(),
        PaymentOutcome::Approved { .. }
    ));
    assert_eq!(k.sim.payments_of("y1").len(), 1);
    assert_eq!(
        fresh.status("nobody").await.unwrap(),
        PaymentOutcome::NotFound
    );
    // The other amount under the same attempt is refused, not charged.
    assert!(p.start(&req("y1", "1.00"), again.sink()).await.is_err());
}

#[tokio::test]
async fn rejection_and_expiry() {
    let k = Kassa::new().await;
    let p = Arc::new(k.provider(timing()));
    let (pr, mut rx) = progress();
    k.sim.set_next_outcome(Some(YookassaOutcome::Reject));
    match within(10, p.start(&req("r1", "100.00"), pr.sink()))
        .await
        .unwrap()
    {
        PaymentOutcome::Declined { reason } => assert!(reason.contains("general_decline")),
        other => panic!("{other:?}"),
    }

    // The one-hour SBP window passes while the QR is on screen.
    let task = {
        let p = p.clone();
        let sink = pr.sink();
        tokio::spawn(async move { p.start(&req("e1", "100.00"), sink).await })
    };
    // r1 was final before any QR was shown, so this is e1's.
    rx.qr().await;
    k.sim.advance_clock(3601);
    assert_eq!(
        within(10, task).await.unwrap().unwrap(),
        PaymentOutcome::Cancelled
    );
    assert_eq!(
        k.sim.payments_of("e1")[0].cancellation_reason.as_deref(),
        Some("expired_on_confirmation")
    );
}

#[tokio::test]
async fn an_abandoned_qr_stays_pending_and_a_late_payment_is_seen() {
    let k = Kassa::new().await;
    let p = k.provider(YookassaTiming {
        wait_for_payment: Some(Duration::from_millis(300)),
        ..timing()
    });
    let (pr, _rx) = progress();
    assert_eq!(
        within(10, p.start(&req("a1", "300.00"), pr.sink()))
            .await
            .unwrap(),
        PaymentOutcome::Pending
    );
    // The screen is told the kiosk stopped waiting (the engine then gives the checkout up and
    // sweeps for a late payment).
    assert_eq!(pr.all().last(), Some(&PaymentProgress::Expired));
    // YooKassa cannot cancel a pending SBP payment: the provider says so instead of pretending.
    assert_eq!(p.cancel("a1").await.unwrap(), PaymentOutcome::Pending);
    // The customer pays after all: the status query is the truth.
    k.sim.pay("a1").unwrap();
    assert!(matches!(
        p.status("a1").await.unwrap(),
        PaymentOutcome::Approved { .. }
    ));
    assert!(matches!(
        p.cancel("a1").await.unwrap(),
        PaymentOutcome::Approved { .. }
    ));
    // Refunding it is the way back.
    assert!(matches!(
        p.refund("a1", money("300.00")).await.unwrap(),
        RefundOutcome::Refunded { .. }
    ));
    assert_eq!(k.sim.payments_of("a1")[0].charged, "0.00");
}

#[tokio::test]
async fn unknown_answers_are_repeated_with_the_same_key() {
    let k = Kassa::new().await;
    let p = k.provider(YookassaTiming {
        request_timeout: Duration::from_millis(400),
        ..timing()
    });
    let (pr, _rx) = progress();
    let cases = [
        (
            "k1",
            Fault::new("create_payment", FaultKind::Http500).times(1),
        ),
        (
            "k2",
            Fault::new("create_payment", FaultKind::CommitThen500).times(2),
        ),
        (
            "k3",
            Fault::new("create_payment", FaultKind::CommitThenHang)
                .hang_ms(5_000)
                .times(1),
        ),
        (
            "k4",
            Fault::new("create_payment", FaultKind::Processing).times(2),
        ),
    ];
    for (id, fault) in cases {
        k.sim.add_fault(fault);
        k.sim.set_next_outcome(Some(YookassaOutcome::Pay));
        let out = within(15, p.start(&req(id, "250.00"), pr.sink()))
            .await
            .unwrap();
        assert!(
            matches!(out, PaymentOutcome::Approved { .. }),
            "{id}: {out:?}"
        );
        assert_eq!(k.sim.payments_of(id).len(), 1, "{id}: one payment");
        k.sim.clear_faults();
    }
    // A GET that fails meanwhile is only retried.
    k.sim
        .add_fault(Fault::new("get_payment", FaultKind::Http500).times(2));
    k.sim.set_next_outcome(Some(YookassaOutcome::Pay));
    assert!(matches!(
        within(10, p.start(&req("k5", "250.00"), pr.sink()))
            .await
            .unwrap(),
        PaymentOutcome::Approved { .. }
    ));
}

#[tokio::test]
async fn after_a_crash_the_same_body_and_key_find_the_payment() {
    let k = Kassa::new().await;
    let p = k.provider(YookassaTiming {
        request_timeout: Duration::from_millis(300),
        tries: 1,
        ..timing()
    });
    let (pr, _rx) = progress();
    // The payment is made, every answer is lost: the outcome is unknown.
    k.sim
        .add_fault(Fault::new("create_payment", FaultKind::CommitThenHang).hang_ms(5_000));
    assert_eq!(
        within(10, p.start(&req("c1", "120.00"), pr.sink()))
            .await
            .unwrap(),
        PaymentOutcome::Pending
    );
    k.sim.clear_faults();
    k.sim.pay("c1").unwrap();
    // "The kiosk restarts": a new provider over the same state folder replays the create.
    let fresh = k.provider(timing());
    assert!(matches!(
        fresh.status("c1").await.unwrap(),
        PaymentOutcome::Approved { .. }
    ));
    assert_eq!(k.sim.payments_of("c1").len(), 1);

    // The create never reached YooKassa: the replay makes it now, once.
    k.sim
        .add_fault(Fault::new("create_payment", FaultKind::Http500));
    assert_eq!(
        within(10, p.start(&req("c2", "120.00"), pr.sink()))
            .await
            .unwrap(),
        PaymentOutcome::Pending
    );
    assert!(k.sim.payments_of("c2").is_empty());
    k.sim.clear_faults();
    assert_eq!(fresh.status("c2").await.unwrap(), PaymentOutcome::Pending);
    assert_eq!(fresh.status("c2").await.unwrap(), PaymentOutcome::Pending);
    assert_eq!(k.sim.payments_of("c2").len(), 1);
}

#[tokio::test]
async fn a_refused_request_is_final_and_bad_credentials_are_a_config_error() {
    let k = Kassa::new().await;
    let p = k.provider(timing());
    let (pr, _rx) = progress();
    match p.start(&req("v1", "0.00"), pr.sink()).await.unwrap() {
        PaymentOutcome::Declined { reason } => {
            assert!(reason.contains("invalid_request"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        p.status("v1").await.unwrap(),
        PaymentOutcome::Declined { .. }
    ));
    assert_eq!(p.cancel("v1").await.unwrap(), PaymentOutcome::Cancelled);

    let wrong = YookassaProvider::new(
        YookassaConfig::new(&k.sim.api_url(), k.state.path().join("other")),
        YookassaCredentials::new(pay_sim::yookassa::DEMO_SHOP_ID, "wrong"),
    )
    .unwrap()
    .with_timing(timing());
    assert!(matches!(
        wrong.start(&req("v2", "10.00"), pr.sink()).await,
        Err(PaymentError::Config(_))
    ));
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused_by_the_api() {
    let k = Kassa::new().await;
    let http = reqwest::Client::new();
    let body = |value: &str| {
        serde_json::json!({
            "amount": {"value": value, "currency": "RUB"}, "capture": true,
            "payment_method_data": {"type": "sbp"}, "confirmation": {"type": "qr"},
        })
    };
    let post = |b: serde_json::Value| {
        http.post(format!("{}/payments", k.sim.api_url()))
            .basic_auth(
                pay_sim::yookassa::DEMO_SHOP_ID,
                Some(pay_sim::yookassa::DEMO_SECRET_KEY),
            )
            .header("Idempotence-Key", "key-1")
            .json(&b)
            .send()
    };
    let first: serde_json::Value = post(body("10.00")).await.unwrap().json().await.unwrap();
    k.sim.pay(first["id"].as_str().unwrap()).unwrap();
    // The same request: the stored answer, even though the payment has moved on.
    let replay: serde_json::Value = post(body("10.00")).await.unwrap().json().await.unwrap();
    assert_eq!(replay, first);
    assert_eq!(replay["status"], "pending");
    let other = post(body("11.00")).await.unwrap();
    assert_eq!(other.status(), 400);
    // After 24 h the key is forgotten.
    k.sim.advance_clock(24 * 3600 + 1);
    assert_eq!(post(body("11.00")).await.unwrap().status(), 200);
    assert_eq!(k.sim.payments().len(), 2);
}

#[tokio::test]
async fn refunds_are_idempotent_pending_and_refusable() {
    let k = Kassa::new().await;
    let p = k.provider(timing());
    let (pr, _rx) = progress();
    k.sim.set_next_outcome(Some(YookassaOutcome::Pay));
    within(10, p.start(&req("f1", "849.10"), pr.sink()))
        .await
        .unwrap();
    let first = p.refund("f1", money("849.10")).await.unwrap();
    assert!(matches!(first, RefundOutcome::Refunded { .. }), "{first:?}");
    assert_eq!(p.refund("f1", money("849.10")).await.unwrap(), first);
    let f1 = &k.sim.payments_of("f1")[0];
    assert_eq!(f1.refunds.len(), 1);
    assert_eq!(f1.charged, "0.00");
    assert_eq!(p.status("f1").await.unwrap(), PaymentOutcome::Cancelled);

    // Partial, then more than is left.
    k.sim.set_next_outcome(Some(YookassaOutcome::Pay));
    within(10, p.start(&req("f2", "849.10"), pr.sink()))
        .await
        .unwrap();
    assert!(matches!(
        p.refund("f2", money("100.00")).await.unwrap(),
        RefundOutcome::Refunded { .. }
    ));
    assert_eq!(k.sim.payments_of("f2")[0].charged, "749.10");
    assert!(matches!(
        p.refund("f2", money("800.00")).await.unwrap(),
        RefundOutcome::Failed { .. }
    ));

    // Pending until the bank settles it.
    k.sim.update_config(|c| c.refunds_pending = true);
    k.sim.set_next_outcome(Some(YookassaOutcome::Pay));
    within(10, p.start(&req("f3", "200.00"), pr.sink()))
        .await
        .unwrap();
    assert_eq!(
        p.refund("f3", money("200.00")).await.unwrap(),
        RefundOutcome::Pending
    );
    let refund_id = k.sim.payments_of("f3")[0].refunds[0].id.clone();
    k.sim.settle_refund(&refund_id, true).unwrap();
    assert!(matches!(
        p.refund("f3", money("200.00")).await.unwrap(),
        RefundOutcome::Refunded { .. }
    ));
    k.sim.update_config(|c| c.refunds_pending = false);

    // The answer is lost every time: Pending; later the same key returns the same refund.
    k.sim.set_next_outcome(Some(YookassaOutcome::Pay));
    within(10, p.start(&req("f4", "200.00"), pr.sink()))
        .await
        .unwrap();
    k.sim
        .add_fault(Fault::new("create_refund", FaultKind::CommitThen500).times(3));
    assert_eq!(
        p.refund("f4", money("200.00")).await.unwrap(),
        RefundOutcome::Pending
    );
    assert!(matches!(
        p.refund("f4", money("200.00")).await.unwrap(),
        RefundOutcome::Refunded { .. }
    ));
    assert_eq!(k.sim.payments_of("f4")[0].refunds.len(), 1);

    // Nothing to refund.
    k.sim.set_next_outcome(Some(YookassaOutcome::Reject));
    within(10, p.start(&req("f5", "200.00"), pr.sink()))
        .await
        .unwrap();
    assert!(matches!(
        p.refund("f5", money("200.00")).await.unwrap(),
        RefundOutcome::Failed { .. }
    ));
}

#[tokio::test]
async fn notifications_are_hints() {
    let k = Kassa::new().await;
    let holder: Arc<std::sync::OnceLock<Arc<YookassaProvider>>> = Arc::default();
    let h = holder.clone();
    let (url, _bodies) = receiver(1, move |body| {
        let _ = h.get().map(|p| p.notify(body));
        String::new()
    })
    .await;
    k.sim.update_config(|c| {
        c.webhook_url = Some(url.clone());
        c.notify.duplicate = true;
        c.notify.out_of_order = true;
        c.notify.retry_ms = 50;
    });
    let p = Arc::new(k.provider(YookassaTiming {
        poll_every: Duration::from_secs(30),
        ..timing()
    }));
    let _ = holder.set(p.clone());
    let (pr, mut rx) = progress();
    let task = {
        let p = p.clone();
        let sink = pr.sink();
        tokio::spawn(async move { p.start(&req("n1", "849.10"), sink).await })
    };
    rx.qr().await;
    k.sim.pay("n1").unwrap();
    let out = within(10, task).await.unwrap().unwrap();
    assert!(matches!(out, PaymentOutcome::Approved { .. }), "{out:?}");
    assert!(
        eventually(10, || {
            let d = k.sim.notifications();
            d.iter().filter(|d| d.accepted).count() >= 2 && d.iter().any(|d| !d.accepted)
        })
        .await
    );
    assert!(matches!(
        p.status("n1").await.unwrap(),
        PaymentOutcome::Approved { .. }
    ));
    assert!(p.notify(b"not json").is_err());
}
