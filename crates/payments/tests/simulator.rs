//! The simulated-terminal provider against `pos-sim`'s payment API: every outcome, the
//! idempotency of attempts, recovery by status after a lost answer, cancel and refund.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kiosk_core::payment::{PaymentOutcome, PaymentProgress, PaymentRequest, RefundOutcome};
use kiosk_core::ports::{PaymentProvider, ProgressSink};
use kiosk_core::Money;
use payments::simulator::SimulatorProvider;
use pos_sim::{PaymentOutcomeMode, SimConfig};

fn req(id: &str) -> PaymentRequest {
    PaymentRequest {
        attempt_id: id.into(),
        order_ref: format!("k1-{id}"),
        amount: Money::parse("849.10").unwrap(),
        description: "Order 001".into(),
    }
}

fn recorder() -> (ProgressSink, Arc<Mutex<Vec<PaymentProgress>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    (Arc::new(move |p| s.lock().unwrap().push(p)), seen)
}

#[tokio::test]
async fn approve_is_idempotent_and_refundable() {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let p = SimulatorProvider::new(&sim.url()).unwrap();
    let (sink, seen) = recorder();
    let first = p.start(&req("a1"), sink.clone()).await.unwrap();
    let PaymentOutcome::Approved { receipt } = &first else {
        panic!("{first:?}")
    };
    assert_eq!(receipt.amount.to_string(), "849.10");
    assert!(!receipt.transaction_id.is_empty());
    assert!(matches!(
        seen.lock().unwrap()[0],
        PaymentProgress::Started { .. }
    ));
    // The same attempt again: the same payment, no second charge.
    let again = p.start(&req("a1"), sink).await.unwrap();
    assert_eq!(again, first);
    assert_eq!(sim.control().payments().len(), 1);
    assert_eq!(p.status("a1").await.unwrap(), first);

    let r1 = p
        .refund("a1", Money::parse("849.10").unwrap())
        .await
        .unwrap();
    assert!(matches!(r1, RefundOutcome::Refunded { .. }), "{r1:?}");
    let r2 = p
        .refund("a1", Money::parse("849.10").unwrap())
        .await
        .unwrap();
    assert_eq!(r1, r2, "a repeated refund returns the same refund");
    assert_eq!(sim.control().payments()[0].refunds.len(), 1);
}

#[tokio::test]
async fn decline_and_cancel_charge_nothing() {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let p = SimulatorProvider::new(&sim.url()).unwrap();
    sim.control()
        .set_payment_outcome(PaymentOutcomeMode::Decline, 0);
    let (sink, _) = recorder();
    assert!(matches!(
        p.start(&req("d1"), sink.clone()).await.unwrap(),
        PaymentOutcome::Declined { .. }
    ));
    sim.control()
        .set_payment_outcome(PaymentOutcomeMode::Cancel, 0);
    assert_eq!(
        p.start(&req("c1"), sink).await.unwrap(),
        PaymentOutcome::Cancelled
    );
    assert_eq!(
        p.status("never-started").await.unwrap(),
        PaymentOutcome::NotFound
    );
}

#[tokio::test]
async fn a_lost_answer_is_pending_then_resolved_by_status() {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    sim.control()
        .set_payment_outcome(PaymentOutcomeMode::Timeout, 0);
    let p = SimulatorProvider::new(&sim.url())
        .unwrap()
        .with_start_timeout(Duration::from_millis(300));
    let (sink, _) = recorder();
    assert_eq!(
        p.start(&req("t1"), sink).await.unwrap(),
        PaymentOutcome::Pending
    );
    // The terminal did charge: the status query is the truth.
    assert!(matches!(
        p.status("t1").await.unwrap(),
        PaymentOutcome::Approved { .. }
    ));
    // And it can be reversed.
    assert_eq!(p.cancel("t1").await.unwrap(), PaymentOutcome::Cancelled);
}

#[tokio::test]
async fn an_unreachable_terminal_is_an_error_not_a_decline() {
    let p = SimulatorProvider::new("http://127.0.0.1:9").unwrap();
    let (sink, _) = recorder();
    assert!(p.start(&req("u1"), sink).await.is_err());
    assert!(p.status("u1").await.is_err());
}
