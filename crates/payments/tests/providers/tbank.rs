//! The T-Bank provider against the T-Bank simulator: the QR shown, paid, rejected, expired,
//! abandoned; the answer lost after the bank committed; a payment arriving during the cancel;
//! 5xx; refunds (async, refused, lost); notifications as hints.

use std::sync::Arc;
use std::time::Duration;

use kiosk_core::payment::{PaymentOutcome, PaymentProgress, RefundOutcome};
use kiosk_core::ports::{PaymentError, PaymentProvider};
use pay_sim::tbank::{TbankControl, TbankOutcome, TbankSimConfig};
use pay_sim::{Fault, FaultKind, SimServer};
use payments::tbank::{TbankConfig, TbankCredentials, TbankProvider, TbankTiming};

use crate::common::{eventually, money, progress, receiver, req, within};

fn timing() -> TbankTiming {
    TbankTiming {
        poll_every: Duration::from_millis(25),
        request_timeout: Duration::from_secs(3),
        wait_for_payment: None,
        refund_wait: Duration::from_secs(3),
        tries: 3,
    }
}

fn provider(sim: &SimServer<TbankControl>, cfg: impl FnOnce(&mut TbankConfig)) -> TbankProvider {
    provider_with(sim, cfg, timing())
}

fn provider_with(
    sim: &SimServer<TbankControl>,
    cfg: impl FnOnce(&mut TbankConfig),
    timing: TbankTiming,
) -> TbankProvider {
    let mut c = TbankConfig::new(&sim.api_url());
    c.qr_lifetime_s = 60;
    cfg(&mut c);
    let creds = TbankCredentials::new(
        pay_sim::tbank::DEMO_TERMINAL_KEY,
        pay_sim::tbank::DEMO_PASSWORD,
    );
    TbankProvider::new(c, creds).unwrap().with_timing(timing)
}

async fn sim() -> SimServer<TbankControl> {
    pay_sim::tbank::spawn(TbankSimConfig::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_qr_is_shown_paid_and_never_made_twice() {
    let sim = sim().await;
    let p = Arc::new(provider(&sim, |_| {}));
    let (pr, mut rx) = progress();
    let task = {
        let p = p.clone();
        let sink = pr.sink();
        tokio::spawn(async move { p.start(&req("t1", "849.10"), sink).await })
    };
    let (payload, expires) = rx.qr().await;
    assert!(payload.starts_with("https://qr.nspk.ru/"), "{payload}");
    assert!(
        payload.contains("sum=84910"),
        "amounts go in kopecks: {payload}"
    );
    assert_eq!(expires, 60);
    let shown = sim.payments_of("t1");
    assert_eq!(shown[0].status, "FORM_SHOWED");
    // RedirectDueDate is the QR's lifetime from now.
    let due = time::OffsetDateTime::parse(
        &shown[0].redirect_due_date,
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let ahead = due - time::OffsetDateTime::now_utc();
    assert!(
        ahead > time::Duration::seconds(50) && ahead <= time::Duration::seconds(61),
        "{ahead}"
    );

    sim.pay("t1").unwrap();
    let out = within(10, task).await.unwrap().unwrap();
    let PaymentOutcome::Approved { receipt } = &out else {
        panic!("{out:?}")
    };
    assert_eq!(receipt.provider, "tbank");
    assert_eq!(receipt.amount, money("849.10"));
    assert_eq!(receipt.transaction_id, shown[0].payment_id);
    assert!(matches!(pr.all()[0], PaymentProgress::Started { .. }));

    // Again with the same attempt: CheckOrder finds the payment, no second Init.
    let (again, _rx) = progress();
    assert!(matches!(
        p.start(&req("t1", "849.10"), again.sink()).await.unwrap(),
        PaymentOutcome::Approved { .. }
    ));
    assert!(matches!(
        p.status("t1").await.unwrap(),
        PaymentOutcome::Approved { .. }
    ));
    assert_eq!(sim.payments_of("t1").len(), 1);
    assert_eq!(sim.payments_of("t1")[0].charged, 84910);
    // A paid QR is not cancelled: the approval stands and the caller decides.
    assert!(matches!(
        p.cancel("t1").await.unwrap(),
        PaymentOutcome::Approved { .. }
    ));
    assert_eq!(sim.payments_of("t1")[0].status, "CONFIRMED");
}

#[tokio::test]
async fn forced_rejection_and_expiry() {
    let sim = sim().await;
    let p = provider(&sim, |_| {});
    let (pr, _rx) = progress();
    sim.set_next_outcome(Some(TbankOutcome::Reject));
    assert!(matches!(
        within(10, p.start(&req("r1", "100.00"), pr.sink()))
            .await
            .unwrap(),
        PaymentOutcome::Declined { .. }
    ));
    sim.set_next_outcome(Some(TbankOutcome::Expire));
    assert_eq!(
        within(10, p.start(&req("e1", "100.00"), pr.sink()))
            .await
            .unwrap(),
        PaymentOutcome::Cancelled
    );
    assert_eq!(p.status("nobody").await.unwrap(), PaymentOutcome::NotFound);
    assert_eq!(p.cancel("nobody").await.unwrap(), PaymentOutcome::NotFound);
}

#[tokio::test]
async fn the_qr_expires_at_its_due_date() {
    let sim = sim().await;
    let p = Arc::new(provider(&sim, |_| {}));
    let (pr, mut rx) = progress();
    let task = {
        let p = p.clone();
        let sink = pr.sink();
        tokio::spawn(async move { p.start(&req("x1", "300.00"), sink).await })
    };
    rx.qr().await;
    // The bank's clock passes RedirectDueDate.
    sim.advance_clock(61);
    assert_eq!(
        within(10, task).await.unwrap().unwrap(),
        PaymentOutcome::Cancelled
    );
    assert_eq!(sim.payments_of("x1")[0].status, "DEADLINE_EXPIRED");
    assert_eq!(sim.payments_of("x1")[0].charged, 0);
}

#[tokio::test]
async fn an_abandoned_qr_is_cancelled_and_asked_again() {
    let sim = sim().await;
    let fast = TbankTiming {
        wait_for_payment: Some(Duration::from_millis(300)),
        ..timing()
    };
    let p = provider_with(&sim, |_| {}, fast.clone());
    let (pr, _rx) = progress();
    assert_eq!(
        within(10, p.start(&req("a1", "300.00"), pr.sink()))
            .await
            .unwrap(),
        PaymentOutcome::Cancelled
    );
    assert_eq!(sim.payments_of("a1")[0].status, "CANCELED");
    // The screen was told the QR ran out, after it was shown.
    let seen = pr.all();
    let qr = seen
        .iter()
        .position(|p| matches!(p, PaymentProgress::ShowQr { .. }));
    let expired = seen.iter().position(|p| *p == PaymentProgress::Expired);
    assert!(qr.is_some() && expired > qr, "{seen:?}");

    // The customer pays in the very second the kiosk cancels: the bank confirms, then the
    // cancel refunds it. The provider waits for the refund to settle: nothing is charged.
    sim.add_fault(Fault::new("Cancel", FaultKind::PayDuringCancel).times(1));
    assert_eq!(
        within(10, p.start(&req("a2", "300.00"), pr.sink()))
            .await
            .unwrap(),
        PaymentOutcome::Cancelled
    );
    let a2 = &sim.payments_of("a2")[0];
    assert_eq!(a2.status, "REFUNDED", "{:?}", a2.history);
    assert!(a2.history.contains(&"CONFIRMED".to_string()));
    assert_eq!(a2.charged, 0);

    // The same race, but the refund is refused by the customer's bank: the charge stands, and
    // the provider says so rather than "cancelled".
    sim.update_config(|c| c.fail_next_refund = true);
    sim.add_fault(Fault::new("Cancel", FaultKind::PayDuringCancel).times(1));
    let out = within(10, p.start(&req("a3", "300.00"), pr.sink()))
        .await
        .unwrap();
    assert!(matches!(out, PaymentOutcome::Approved { .. }), "{out:?}");
    assert_eq!(sim.payments_of("a3")[0].charged, 30000);
}

#[tokio::test]
async fn a_lost_init_answer_is_found_by_order_id() {
    let sim = sim().await;
    let p = Arc::new(provider_with(
        &sim,
        |_| {},
        TbankTiming {
            request_timeout: Duration::from_millis(400),
            ..timing()
        },
    ));
    // The bank creates the payment, then the answer never comes.
    sim.add_fault(
        Fault::new("Init", FaultKind::CommitThenHang)
            .hang_ms(5_000)
            .times(1),
    );
    // And two 5xx on the way.
    sim.add_fault(Fault::new("GetState", FaultKind::Http500).times(2));
    let (pr, mut rx) = progress();
    let task = {
        let p = p.clone();
        let sink = pr.sink();
        tokio::spawn(async move { p.start(&req("l1", "500.00"), sink).await })
    };
    rx.qr().await;
    sim.pay("l1").unwrap();
    assert!(matches!(
        within(10, task).await.unwrap().unwrap(),
        PaymentOutcome::Approved { .. }
    ));
    assert_eq!(sim.payments_of("l1").len(), 1, "one payment, not two");

    // A 500 before anything is done: Init is simply sent again.
    sim.add_fault(Fault::new("Init", FaultKind::Http500).times(1));
    sim.set_next_outcome(Some(TbankOutcome::Confirm));
    assert!(matches!(
        within(10, p.start(&req("l2", "500.00"), pr.sink()))
            .await
            .unwrap(),
        PaymentOutcome::Approved { .. }
    ));
    assert_eq!(sim.payments_of("l2").len(), 1);

    // A bank that keeps failing: an error, and nothing exists.
    sim.add_fault(Fault::new("Init", FaultKind::Http500));
    assert!(matches!(
        p.start(&req("l3", "500.00"), pr.sink()).await,
        Err(PaymentError::Unreachable(_))
    ));
    sim.clear_faults();
    assert_eq!(p.status("l3").await.unwrap(), PaymentOutcome::NotFound);
}

#[tokio::test]
async fn refunds_settle_asynchronously_and_are_never_sent_twice() {
    let sim = sim().await;
    let p = provider(&sim, |_| {});
    let (pr, _rx) = progress();
    sim.set_next_outcome(Some(TbankOutcome::Confirm));
    within(10, p.start(&req("f1", "849.10"), pr.sink()))
        .await
        .unwrap();

    let first = p.refund("f1", money("849.10")).await.unwrap();
    assert!(matches!(first, RefundOutcome::Refunded { .. }), "{first:?}");
    let again = p.refund("f1", money("849.10")).await.unwrap();
    assert_eq!(first, again);
    let f1 = &sim.payments_of("f1")[0];
    assert_eq!(f1.status, "REFUNDED");
    let refunding = f1
        .history
        .iter()
        .filter(|s| *s == "ASYNC_REFUNDING")
        .count();
    assert_eq!(refunding, 1, "{:?}", f1.history);
    assert_eq!(f1.charged, 0);
    assert_eq!(p.status("f1").await.unwrap(), PaymentOutcome::Cancelled);

    // A partial refund.
    sim.set_next_outcome(Some(TbankOutcome::Confirm));
    within(10, p.start(&req("f2", "849.10"), pr.sink()))
        .await
        .unwrap();
    assert!(matches!(
        p.refund("f2", money("100.00")).await.unwrap(),
        RefundOutcome::Refunded { .. }
    ));
    assert_eq!(sim.payments_of("f2")[0].status, "PARTIAL_REFUNDED");
    assert_eq!(sim.payments_of("f2")[0].charged, 74910);

    // Refused by the customer's bank: the reason comes from GetQrState.
    sim.set_next_outcome(Some(TbankOutcome::Confirm));
    within(10, p.start(&req("f3", "200.00"), pr.sink()))
        .await
        .unwrap();
    sim.update_config(|c| c.fail_next_refund = true);
    match p.refund("f3", money("200.00")).await.unwrap() {
        RefundOutcome::Failed { reason } => assert!(reason.contains("I05043"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(sim.payments_of("f3")[0].charged, 20000);

    // Nothing to refund.
    sim.set_next_outcome(Some(TbankOutcome::Reject));
    within(10, p.start(&req("f4", "200.00"), pr.sink()))
        .await
        .unwrap();
    assert!(matches!(
        p.refund("f4", money("200.00")).await.unwrap(),
        RefundOutcome::Failed { .. }
    ));
}

#[tokio::test]
async fn a_lost_refund_answer_is_read_back_not_repeated() {
    let sim = sim().await;
    let p = provider_with(
        &sim,
        |_| {},
        TbankTiming {
            request_timeout: Duration::from_millis(400),
            ..timing()
        },
    );
    let (pr, _rx) = progress();
    sim.set_next_outcome(Some(TbankOutcome::Confirm));
    within(10, p.start(&req("g1", "400.00"), pr.sink()))
        .await
        .unwrap();
    sim.add_fault(
        Fault::new("Cancel", FaultKind::CommitThenHang)
            .hang_ms(5_000)
            .times(1),
    );
    assert_eq!(
        p.refund("g1", money("400.00")).await.unwrap(),
        RefundOutcome::Pending
    );
    assert!(matches!(
        p.refund("g1", money("400.00")).await.unwrap(),
        RefundOutcome::Refunded { .. }
    ));
    let g1 = &sim.payments_of("g1")[0];
    assert_eq!(
        g1.history
            .iter()
            .filter(|s| *s == "ASYNC_REFUNDING")
            .count(),
        1
    );
    assert_eq!(g1.charged, 0);
}

#[tokio::test]
async fn notifications_are_hints_checked_by_token() {
    let sim = sim().await;
    sim.update_config(|c| {
        c.notify.duplicate = true;
        c.notify.out_of_order = true;
        c.notify.retry_ms = 50;
    });
    // Polling every 30 s: only the notification can make the answer quick.
    let slow = TbankTiming {
        poll_every: Duration::from_secs(30),
        ..timing()
    };
    let holder: Arc<std::sync::OnceLock<Arc<TbankProvider>>> = Arc::default();
    let h = holder.clone();
    let (url, bodies) = receiver(1, move |body| match h.get().map(|p| p.notify(body)) {
        Some(Ok(_)) => "OK".into(),
        _ => "BAD TOKEN".into(),
    })
    .await;
    let p = Arc::new(provider_with(
        &sim,
        |c| c.notification_url = Some(url.clone()),
        slow,
    ));
    let _ = holder.set(p.clone());

    let (pr, mut rx) = progress();
    let task = {
        let p = p.clone();
        let sink = pr.sink();
        tokio::spawn(async move { p.start(&req("n1", "849.10"), sink).await })
    };
    rx.qr().await;
    sim.pay("n1").unwrap();
    let out = within(10, task).await.unwrap().unwrap();
    assert!(matches!(out, PaymentOutcome::Approved { .. }), "{out:?}");

    // Duplicates and a stale FORM_SHOWED after CONFIRMED arrived; the first try got a 500 and
    // was retried. None of it changes the truth.
    assert!(
        eventually(10, || {
            let d = sim.notifications();
            d.iter().filter(|d| d.accepted).count() >= 3 && d.iter().any(|d| !d.accepted)
        })
        .await,
        "{:?}",
        sim.notifications()
    );
    assert!(bodies.lock().unwrap().len() >= 4);
    assert!(matches!(
        p.status("n1").await.unwrap(),
        PaymentOutcome::Approved { .. }
    ));

    // A forged notification is refused.
    let forged = serde_json::json!({
        "TerminalKey": pay_sim::tbank::DEMO_TERMINAL_KEY, "OrderId": "n1", "Success": true,
        "Status": "REFUNDED", "PaymentId": "1", "ErrorCode": "0", "Amount": 84910,
        "Token": "0000",
    });
    assert!(p.notify(forged.to_string().as_bytes()).is_err());
}

#[tokio::test]
async fn a_wrong_password_is_refused_by_the_bank() {
    let sim = sim().await;
    let p = TbankProvider::new(
        TbankConfig::new(&sim.api_url()),
        TbankCredentials::new(pay_sim::tbank::DEMO_TERMINAL_KEY, "wrong"),
    )
    .unwrap()
    .with_timing(timing());
    let (pr, _rx) = progress();
    match p.start(&req("w1", "100.00"), pr.sink()).await {
        Err(PaymentError::Provider(m)) => assert!(m.contains("204"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(sim.payments().is_empty());
}
