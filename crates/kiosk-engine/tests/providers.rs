//! The checkout with the real SBP QR providers against their simulators: the QR code reaches
//! the customer's screen, the customer pays from a bank app, the order is created in the POS
//! with that payment; a QR the customer never pays charges nothing and creates nothing; the
//! customer's Cancel closes the QR at the bank; an expired QR says so; and a payment that
//! arrives after the checkout gave up (cancelled, or handed to staff) is refunded or raised to
//! staff, never kept silently.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kiosk_core::cart::{Cart, CartLine, ChosenModifier, OrderType};
use kiosk_core::checkout::CheckoutState;
use kiosk_core::payment::PaymentProgress;
use kiosk_core::view::{CheckoutEvent, CheckoutResult};
use kiosk_engine::engine::{Engine, Timings};
use kiosk_engine::secrets::SecretStore;
use kiosk_engine::KioskConfig;
use pos_sim::SimConfig;
use support::demo_config;

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

/// A ProCart kiosk whose payment settings `configure` fills in, holding the provider's `keys`.
fn engine_paying(
    pos: &pos_sim::SimServer,
    dir: &tempfile::TempDir,
    configure: impl FnOnce(&mut KioskConfig),
    keys: &[(&str, &str)],
) -> Arc<Engine> {
    let (mut config, secrets) = demo_config(
        pos_sim::PosKind::Procart,
        &pos.url(),
        dir.path().to_path_buf(),
    );
    configure(&mut config);
    for (name, value) in keys {
        secrets.set(name, value).unwrap();
    }
    let timings = Timings {
        track_every: Duration::from_millis(200),
        backoff: vec![Duration::from_millis(100)],
        payment_resolve_for: Duration::from_secs(3),
    };
    Engine::from_config(config, &secrets, timings).unwrap()
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
    let names = payments::tbank::TbankConfig::default();
    let engine = engine_paying(
        &pos,
        &dir,
        |config| {
            config.payment.provider = "tbank".into();
            config.payment.url = Some(tbank.api_url());
            config.payment.tbank = Some(payments::tbank::TbankConfig {
                wait_s: Some(qr_wait_s),
                ..Default::default()
            });
        },
        &[
            (
                &names.terminal_key_secret,
                pay_sim::tbank::DEMO_TERMINAL_KEY,
            ),
            (&names.password_secret, pay_sim::tbank::DEMO_PASSWORD),
        ],
    );
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

/// Waits for the QR to reach the screen; returns its payload.
async fn qr_on_screen(qr: &Arc<Mutex<Option<String>>>) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(p) = qr.lock().unwrap().clone() {
            return p;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no QR code reached the screen"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What the screen was shown: the QR payload, and every progress event.
type Screen = (
    Arc<Mutex<Option<String>>>,
    Arc<Mutex<Vec<PaymentProgress>>>,
    kiosk_engine::checkout::EventSink,
);

/// Records the screen's progress: the QR payload, and every event.
fn screen() -> Screen {
    let qr = Arc::new(Mutex::new(None::<String>));
    let all = Arc::new(Mutex::new(Vec::new()));
    let (q, a) = (qr.clone(), all.clone());
    let sink = Arc::new(move |e: CheckoutEvent| {
        if let CheckoutEvent::Payment { progress } = e {
            if let PaymentProgress::ShowQr { payload, .. } = &progress {
                *q.lock().unwrap() = Some(payload.clone());
            }
            a.lock().unwrap().push(progress);
        }
    });
    (qr, all, sink)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_cancels_the_qr_and_the_bank_closes_it() {
    let r = rig(30).await;
    let total = r.engine.price(1, cart()).await.unwrap().quote.total;
    assert!(
        !r.engine.cancel_payment().unwrap(),
        "nothing to cancel before a payment"
    );
    let (qr, _all, events) = screen();
    let engine = r.engine.clone();
    let checkout = tokio::spawn(async move { engine.checkout(cart(), total, events).await });
    qr_on_screen(&qr).await;
    assert!(r.engine.cancel_payment().unwrap());
    let result = tokio::time::timeout(Duration::from_secs(10), checkout)
        .await
        .expect("the cancel ends the wait at once")
        .unwrap()
        .unwrap();
    assert_eq!(result, CheckoutResult::PaymentCancelled);
    let payments = r.tbank.control().payments();
    assert_eq!(payments.len(), 1);
    assert_eq!(
        payments[0].status, "CANCELED",
        "the QR is closed at the bank"
    );
    assert!(r.pos.control().orders().is_empty());
    // The QR is closed: the customer's bank app can no longer pay it.
    assert!(r.tbank.control().pay(&payments[0].payment_id).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qr_paid_as_the_customer_cancels_places_the_order() {
    let r = rig(30).await;
    let total = r.engine.price(1, cart()).await.unwrap().quote.total;
    let (qr, _all, events) = screen();
    let engine = r.engine.clone();
    let checkout = tokio::spawn(async move { engine.checkout(cart(), total, events).await });
    qr_on_screen(&qr).await;
    // The bank app confirms in the same second the customer taps Cancel: the kiosk asks the
    // bank before closing anything, finds the payment, and the guest (still here) gets the order.
    let payment = r.tbank.control().payments().pop().unwrap();
    r.tbank.control().pay(&payment.payment_id).unwrap();
    r.engine.cancel_payment().unwrap();
    let result = checkout.await.unwrap().unwrap();
    let charged = r.tbank.control().payments()[0].charged;
    match result {
        // The poller saw the payment first: the order goes through with it.
        CheckoutResult::Placed { order } => {
            assert_eq!(order.state, CheckoutState::Posted);
            assert_eq!(r.pos.control().orders().len(), 1);
            assert_eq!(
                charged,
                total.to_minor().unwrap(),
                "kept, as the order was made"
            );
        }
        other => panic!("a paid QR must place the order, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_qr_says_so_and_is_closed() {
    let r = rig(1).await;
    let total = r.engine.price(1, cart()).await.unwrap().quote.total;
    let (_qr, all, events) = screen();
    let result = r.engine.checkout(cart(), total, events).await.unwrap();
    assert_eq!(result, CheckoutResult::PaymentCancelled);
    assert!(
        all.lock().unwrap().contains(&PaymentProgress::Expired),
        "the screen is told the QR ran out: {:?}",
        all.lock().unwrap()
    );
    assert_eq!(r.tbank.control().payments()[0].status, "CANCELED");
}

/// A kiosk paying with YooKassa, whose pending SBP payments cannot be cancelled.
struct YkRig {
    pos: pos_sim::SimServer,
    kassa: pay_sim::SimServer<pay_sim::yookassa::YookassaControl>,
    engine: Arc<Engine>,
    dir: tempfile::TempDir,
}

async fn yookassa_rig(qr_wait_s: u64) -> YkRig {
    let pos = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let kassa = pay_sim::yookassa::spawn(pay_sim::yookassa::YookassaSimConfig::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let names = payments::yookassa::YookassaConfig::default();
    let engine = engine_paying(
        &pos,
        &dir,
        |config| {
            config.payment.provider = "yookassa".into();
            config.payment.url = Some(kassa.api_url());
            config.payment.yookassa = Some(payments::yookassa::YookassaConfig {
                wait_s: qr_wait_s,
                poll_ms: Some(50),
                ..payments::yookassa::YookassaConfig::new(&kassa.api_url(), "")
            });
        },
        &[
            (&names.shop_id_secret, pay_sim::yookassa::DEMO_SHOP_ID),
            (&names.secret_key_secret, pay_sim::yookassa::DEMO_SECRET_KEY),
        ],
    );
    YkRig {
        pos,
        kassa,
        engine,
        dir,
    }
}

/// Waits until the checkout is in `state`.
async fn until_state(
    engine: &Engine,
    id: &str,
    state: CheckoutState,
) -> kiosk_core::view::OrderView {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let v = engine.order_view(id).unwrap();
        if v.state == state {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "checkout {id} is {:?}, never {state:?}",
            v.state
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_yookassa_qr_paid_after_it_expired_is_refunded() {
    let r = yookassa_rig(1).await;
    r.engine.start_background();
    let total = r.engine.price(1, cart()).await.unwrap().quote.total;
    let (_qr, all, events) = screen();
    let started = tokio::time::Instant::now();
    let result = r.engine.checkout(cart(), total, events).await.unwrap();
    // The customer is told at once (no minutes of "checking the payment"), and nothing more.
    assert_eq!(result, CheckoutResult::PaymentCancelled);
    assert!(started.elapsed() < Duration::from_secs(8));
    assert!(all.lock().unwrap().contains(&PaymentProgress::Expired));
    let journal = &r.engine.checkouts.as_ref().unwrap().journal;
    let rec = journal.recent(1).unwrap().pop().unwrap();
    assert_eq!(rec.state, CheckoutState::PaymentFailed);
    // YooKassa could not close it: the customer's bank app pays it anyway, a minute later.
    let payment = r.kassa.control().payments().pop().unwrap();
    assert_eq!(payment.status, "pending");
    r.kassa.control().pay(&payment.id).unwrap();

    // The late-payment sweep finds it and gives the money back; no order is made.
    let view = until_state(&r.engine, &rec.id, CheckoutState::Refunded).await;
    assert!(matches!(
        view.notice,
        Some(kiosk_core::view::CheckoutNotice::Refunded { .. })
    ));
    assert_eq!(r.kassa.control().payments()[0].charged, "0.00");
    assert!(r.pos.control().orders().is_empty());
    let history = journal.history(&rec.id).unwrap();
    assert!(
        history
            .iter()
            .any(|t| t.detail.as_deref().unwrap_or("").contains("late payment")),
        "{history:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_payment_of_a_checkout_with_staff_is_raised_to_them_again() {
    let r = yookassa_rig(1).await;
    let total = r.engine.price(1, cart()).await.unwrap().quote.total;
    let quote = r.engine.price(1, cart()).await.unwrap().quote;
    let checkouts = r.engine.checkouts.as_ref().unwrap().clone();
    let journal = &checkouts.journal;
    // A payment in doubt (the kiosk restarted while the QR was up): the QR exists at YooKassa,
    // the checkout went to staff, and staff settled it as "nothing was charged".
    let provider = payments::yookassa::YookassaProvider::new(
        payments::yookassa::YookassaConfig {
            wait_s: 0,
            ..payments::yookassa::YookassaConfig::new(
                &r.kassa.api_url(),
                r.dir.path().join("payments").join("yookassa"),
            )
        },
        payments::yookassa::YookassaCredentials::new(
            pay_sim::yookassa::DEMO_SHOP_ID,
            pay_sim::yookassa::DEMO_SECRET_KEY,
        ),
    )
    .unwrap();
    let req = kiosk_core::payment::PaymentRequest {
        attempt_id: "late-1".into(),
        order_ref: "demo-1-late".into(),
        amount: total,
        description: "Order 001".into(),
    };
    use kiosk_core::ports::PaymentProvider;
    assert_eq!(
        provider.start(&req, Arc::new(|_| {})).await.unwrap(),
        kiosk_core::payment::PaymentOutcome::Pending
    );
    let rec = journal
        .create(&kiosk_engine::journal::NewCheckout {
            id: "late-checkout",
            order_type: cart().order_type,
            cart: &cart(),
            quote: &quote,
            provider: "yookassa",
            attempt_id: "late-1",
            external_id: "demo-1-late",
        })
        .unwrap();
    let rec = journal
        .transition(
            &rec.id,
            CheckoutState::Priced,
            CheckoutState::PaymentStarted,
            Default::default(),
            None,
        )
        .unwrap();
    journal
        .transition(
            &rec.id,
            CheckoutState::PaymentStarted,
            CheckoutState::NeedsStaff,
            kiosk_engine::journal::Changes {
                notice: Some(Some(kiosk_core::view::CheckoutNotice::AskStaff {
                    reason: "the payment's outcome is still unknown".into(),
                })),
                ..Default::default()
            },
            None,
        )
        .unwrap();
    journal
        .mark_handled(&rec.id, "anna", "the guest left; nothing charged")
        .unwrap();
    assert!(journal.needing_staff().unwrap().is_empty());

    // Still unpaid: the sweep watches it and changes nothing.
    let mut settled = std::collections::HashSet::new();
    let sweep = checkouts.sweep_late_payments(&mut settled).await.unwrap();
    assert_eq!((sweep.watched, sweep.raised, sweep.refunded), (1, 0, 0));

    // The guest's bank app pays it after all: staff see it again, with the payment.
    let pending = r.kassa.control().payments().pop().unwrap();
    r.kassa.control().pay(&pending.id).unwrap();
    let sweep = checkouts.sweep_late_payments(&mut settled).await.unwrap();
    assert_eq!(sweep.raised, 1);
    let back = journal.needing_staff().unwrap();
    assert_eq!(back.len(), 1, "back on the staff's problem list");
    let rec = &back[0];
    assert_eq!(rec.state, CheckoutState::NeedsStaff);
    assert_eq!(rec.receipt.as_ref().unwrap().amount, total);
    let Some(kiosk_core::view::CheckoutNotice::AskStaff { reason }) = &rec.notice else {
        panic!("{:?}", rec.notice)
    };
    assert!(reason.contains("arrived after"), "{reason}");
    // Never refunded behind staff's back, never posted on its own.
    assert_eq!(r.kassa.control().payments()[0].refunded, "0.00");
    assert!(r.pos.control().orders().is_empty());
    // Known now: not asked again.
    let sweep = checkouts.sweep_late_payments(&mut settled).await.unwrap();
    assert_eq!((sweep.watched, sweep.raised), (0, 0));
}
