//! A journal the kiosk cannot trust: the kiosk refuses new payments, says why, and never
//! touches what is already recorded.

use std::sync::Arc;
use std::time::Duration;

use kiosk_core::cart::{Cart, CartLine, ChosenModifier, OrderType};
use kiosk_core::checkout::CheckoutState;
use kiosk_core::error::ErrorCode;
use kiosk_core::pricing::{Quote, QuoteSource};
use kiosk_core::Money;
use kiosk_engine::engine::{Engine, Timings};
use kiosk_engine::journal::{Changes, Journal, JournalError, NewCheckout};
use kiosk_engine::secrets::MemorySecrets;
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

#[tokio::test]
async fn a_corrupt_journal_stops_payments_and_is_left_as_it_was() {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    // A journal with one paid checkout, then damaged on disk (a torn write, a bad sector).
    {
        let j = Journal::open(&path).unwrap();
        let q = Quote {
            source: QuoteSource::Pos,
            lines: vec![],
            adjustments: vec![],
            subtotal: Money::from(100),
            total: Money::from(100),
        };
        let c = cart();
        j.create(&NewCheckout {
            id: "old",
            order_type: OrderType::Takeaway,
            cart: &c,
            quote: &q,
            provider: "simulator",
            attempt_id: "old-1",
            external_id: "k-old",
        })
        .unwrap();
        j.transition(
            "old",
            CheckoutState::Priced,
            CheckoutState::PaymentStarted,
            Changes::default(),
            None,
        )
        .unwrap();
    }
    let mut bytes = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(dir.path().join("journal.db-wal"));
    let _ = std::fs::remove_file(dir.path().join("journal.db-shm"));
    bytes.truncate(bytes.len() / 2);
    for b in bytes.iter_mut().skip(100).take(200) {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();

    let config = KioskConfig::demo(&sim.url(), dir.path().to_path_buf());
    let engine = Engine::from_config(
        config,
        &MemorySecrets::with("pos-token", pos_sim::DEMO_TOKEN),
        Timings::default(),
    )
    .unwrap();
    engine.start_background();
    let info = engine.app_info(false);
    let why = info
        .out_of_service
        .expect("the kiosk says it is out of service");
    assert!(why.contains("journal"), "{why}");
    // The menu still works, so staff can see the kiosk is alive; payments are refused.
    assert!(engine.menu_view().await.is_ok());
    let err = engine
        .checkout(cart(), Money::from(1), Arc::new(|_| {}))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::JournalUnavailable);
    assert!(sim.control().payments().is_empty());
    // Nothing already recorded was overwritten or "repaired" away.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn a_full_disk_fails_the_write_before_anything_happens() {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::open(&dir.path().join("journal.db")).unwrap();
    // SQLite's page limit stands in for a full disk: every write that needs a page fails.
    j.limit_pages_for_tests(1).unwrap();
    let q = Quote {
        source: QuoteSource::Pos,
        lines: vec![],
        adjustments: vec![],
        subtotal: Money::from(100),
        total: Money::from(100),
    };
    let c = Cart {
        lines: (0..200)
            .map(|i| CartLine {
                dish: format!("{i:0100}"),
                qty: 1,
                modifiers: vec![],
                comment: None,
                combo: vec![],
            })
            .collect(),
        ..cart()
    };
    let err = j
        .create(&NewCheckout {
            id: "x",
            order_type: OrderType::Takeaway,
            cart: &c,
            quote: &q,
            provider: "simulator",
            attempt_id: "x-1",
            external_id: "k-x",
        })
        .unwrap_err();
    assert!(matches!(err, JournalError::Storage(_)), "{err:?}");
    assert!(
        j.unfinished().unwrap().is_empty(),
        "a failed write leaves no half checkout"
    );
}
