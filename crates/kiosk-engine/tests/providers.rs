//! The checkout with a real SBP QR provider (T-Bank) against its simulator: the QR code reaches
//! the customer's screen, the customer pays from a bank app, the order is created in the POS
//! with that payment; and a QR the customer never pays charges nothing and creates nothing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kiosk_core::cart::{Cart, CartLine, ChosenModifier, OrderType};
use kiosk_core::checkout::CheckoutState;
use kiosk_core::payment::PaymentProgress;
use kiosk_core::view::{CheckoutEvent, CheckoutResult};
use kiosk_engine::engine::{Engine, Timings};
use kiosk_engine::secrets::{MemorySecrets, SecretStore};
use kiosk_engine::KioskConfig;
use pos_sim::SimConfig;

fn cart() -> Cart {
    Cart {
        order_type: OrderType::Takeaway,
        lines: vec![CartLine {
            dish: "1001".into(),
            qty: 1,
            modifiers: vec![ChosenModifier {
                id: "5001".into(),
                qty: 1,
            }],
            comment: None,
            combo: vec![],
        }],
    }
}

struct Rig {
    pos: pos_sim::SimServer,
    tbank: pay_sim::SimServer<pay_sim::tbank::TbankControl>,
    engine: Arc<Engine>,
    _dir: tempfile::TempDir,
}

async fn rig(qr_wait_s: u64) -> Rig {
    let pos = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let tbank = pay_sim::tbank::spawn(pay_sim::tbank::TbankSimConfig::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = KioskConfig::demo(&pos.url(), dir.path().to_path_buf());
    config.payment.provider = "tbank".into();
    config.payment.url = Some(tbank.api_url());
    config.payment.tbank = Some(payments::tbank::TbankConfig {
        wait_s: Some(qr_wait_s),
        ..Default::default()
    });
    let secrets = MemorySecrets::with("pos-token", pos_sim::DEMO_TOKEN);
    let names = payments::tbank::TbankConfig::default();
    secrets
        .set(
            &names.terminal_key_secret,
            pay_sim::tbank::DEMO_TERMINAL_KEY,
        )
        .unwrap();
    secrets
        .set(&names.password_secret, pay_sim::tbank::DEMO_PASSWORD)
        .unwrap();
    let timings = Timings {
        track_every: Duration::from_millis(200),
        backoff: vec![Duration::from_millis(100)],
        payment_resolve_for: Duration::from_secs(3),
    };
    let engine = Engine::from_config(config, &secrets, timings).unwrap();
    Rig {
        pos,
        tbank,
        engine,
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qr_paid_from_a_bank_app_places_the_order() {
    let r = rig(30).await;
    let total = r.engine.price(1, cart()).await.unwrap().quote.total;
    let qr = Arc::new(Mutex::new(None::<String>));
    let seen = qr.clone();
    let events = Arc::new(move |e: CheckoutEvent| {
        if let CheckoutEvent::Payment {
            progress: PaymentProgress::ShowQr { payload, .. },
        } = e
        {
            *seen.lock().unwrap() = Some(payload);
        }
    });
    let engine = r.engine.clone();
    let checkout = tokio::spawn(async move { engine.checkout(cart(), total, events).await });
    // The customer scans the QR shown on screen and pays in the bank app.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while qr.lock().unwrap().is_none() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no QR code reached the screen"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!qr.lock().unwrap().as_ref().unwrap().is_empty());
    let payment = r
        .tbank
        .control()
        .payments()
        .pop()
        .expect("the bank knows the payment");
    r.tbank.control().pay(&payment.payment_id).unwrap();

    let CheckoutResult::Placed { order } = checkout.await.unwrap().unwrap() else {
        panic!("not placed")
    };
    assert_eq!(order.state, CheckoutState::Posted);
    let orders = r.pos.control().orders();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].paid_sum, total.decimal());
    let detail = orders[0].detail.to_string();
    assert!(
        detail.contains(&payment.payment_id),
        "the POS records the bank's payment id: {detail}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qr_never_paid_charges_nothing_and_creates_nothing() {
    let r = rig(1).await;
    let total = r.engine.price(1, cart()).await.unwrap().quote.total;
    let result = r
        .engine
        .checkout(cart(), total, Arc::new(|_| {}))
        .await
        .unwrap();
    assert!(
        matches!(
            result,
            CheckoutResult::PaymentCancelled | CheckoutResult::PaymentDeclined { .. }
        ),
        "{result:?}"
    );
    assert!(r.pos.control().orders().is_empty());
    assert!(r
        .tbank
        .control()
        .payments()
        .iter()
        .all(|p| p.status != "CONFIRMED"));
}
