//! The order board against the real simulators: a board that is its own device (its own data
//! folder, so it sees only what the POS lists) and a board on the kiosk itself (journal + POS),
//! on ProCart and on Jupiter.

mod support;

use std::sync::Arc;
use std::time::Duration;

use kiosk_core::board::{BoardRules, BoardView};
use kiosk_core::cart::{Cart, CartLine, OrderType};
use kiosk_core::catalog::Catalog;
use kiosk_core::view::CheckoutResult;
use kiosk_engine::board::Board;
use kiosk_engine::engine::Engine;
use pos_sim::PosKind;
use pos_sim::{Fault, FaultKind, SimConfig, SimServer};
use support::{demo_config, fast, has_required_choice, required_choices, spawn_pos};

fn engine_on(pos: PosKind, sim: &SimServer, dir: &tempfile::TempDir) -> Arc<Engine> {
    let (config, secrets) = demo_config(pos, &sim.url(), dir.path().to_path_buf());
    Engine::from_config(config, &secrets, fast()).unwrap()
}

fn procart_engine(sim: &SimServer, dir: &tempfile::TempDir) -> Arc<Engine> {
    engine_on(PosKind::Procart, sim, dir)
}

fn jupiter_engine(sim: &SimServer, dir: &tempfile::TempDir) -> Arc<Engine> {
    engine_on(PosKind::Jupiter, sim, dir)
}

/// A board that asks the POS on every refresh.
fn board_of(engine: &Engine) -> Board {
    Board::new(engine.pos.clone(), BoardRules::default()).with_pos_interval(Duration::ZERO)
}

async fn view(board: &Board, engine: &Engine) -> BoardView {
    let journal = engine.checkouts.as_ref().ok().map(|c| c.journal.clone());
    board.view(journal.as_deref()).await
}

fn numbers(v: &BoardView) -> (Vec<String>, Vec<String>) {
    (
        v.preparing.iter().map(|o| o.number.clone()).collect(),
        v.ready.iter().map(|o| o.number.clone()).collect(),
    )
}

fn one_dish(c: &Catalog) -> Cart {
    let d = c
        .dishes
        .iter()
        .find(|d| d.availability.can_sell(1) && has_required_choice(c, d))
        .expect("a dish with a required choice");
    let modifiers = required_choices(c, d);
    Cart {
        order_type: OrderType::Takeaway,
        lines: vec![CartLine {
            dish: d.id.clone(),
            qty: 1,
            modifiers,
            comment: None,
            combo: vec![],
        }],
    }
}

/// Pays for one dish on `kiosk` and returns the number the customer was given.
async fn order(kiosk: &Engine) -> (String, Option<String>) {
    let menu = kiosk.menu_view().await.unwrap();
    let cart = one_dish(&menu.catalog);
    let total = kiosk.price(1, cart.clone()).await.unwrap().quote.total;
    let CheckoutResult::Placed { order } =
        kiosk.checkout(cart, total, Arc::new(|_| {})).await.unwrap()
    else {
        panic!("not placed")
    };
    (order.number, order.pos_order_id)
}

#[tokio::test]
async fn a_separate_board_follows_the_kiosks_orders_through_the_pos() {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let board_dir = tempfile::tempdir().unwrap();
    let kiosk = procart_engine(&sim, &kiosk_dir);
    // The board's own engine: same POS, its own (empty) journal.
    let board_engine = procart_engine(&sim, &board_dir);
    let board = board_of(&board_engine);

    let v = view(&board, &board_engine).await;
    assert!(v.preparing.is_empty() && v.ready.is_empty());
    assert!(v.pos_reachable);

    let (first, first_id) = order(&kiosk).await;
    let (second, second_id) = order(&kiosk).await;
    let v = view(&board, &board_engine).await;
    assert_eq!(numbers(&v), (vec![first.clone(), second.clone()], vec![]));

    // Staff hand the first one over (close it in the POS): ready, and highlighted as new.
    sim.control()
        .order_action(&first_id.unwrap(), pos_sim::OrderAction::Pay)
        .unwrap();
    let v = view(&board, &board_engine).await;
    assert_eq!(numbers(&v), (vec![second.clone()], vec![first.clone()]));
    assert!(v.ready[0].fresh);

    // A deleted order leaves the board.
    sim.control()
        .order_action(&second_id.unwrap(), pos_sim::OrderAction::Delete)
        .unwrap();
    let v = view(&board, &board_engine).await;
    assert_eq!(numbers(&v), (vec![], vec![first.clone()]));

    // The POS stops answering: the board keeps what it knew and says the POS is not reachable.
    sim.control()
        .add_fault(Fault::new("getorders", FaultKind::ConnectionReset));
    let v = view(&board, &board_engine).await;
    assert!(!v.pos_reachable);
    assert_eq!(numbers(&v).1, vec![first.clone()]);

    // The engine's own board (the window's `order_board`), started only now: the order that
    // was ready before it started is not news; a new one is preparing.
    sim.control().clear_faults();
    let (third, _) = order(&kiosk).await;
    let through_engine = board_engine.order_board().await;
    assert_eq!(numbers(&through_engine), (vec![third], vec![]));
}

#[tokio::test]
async fn orders_already_ready_when_the_board_starts_are_not_news() {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let kiosk = procart_engine(&sim, &kiosk_dir);
    let (_, id) = order(&kiosk).await;
    sim.control()
        .order_action(&id.unwrap(), pos_sim::OrderAction::Pay)
        .unwrap();
    let (waiting, _) = order(&kiosk).await;
    // A board (re)started now: the order collected earlier does not flood the ready column.
    let board = board_of(&kiosk);
    let v = view(&board, &kiosk).await;
    assert_eq!(numbers(&v), (vec![waiting], vec![]));
}

#[tokio::test]
async fn on_jupiter_a_pay_first_order_is_preparing_and_a_staff_close_is_ready() {
    let sim = spawn_pos(pos_sim::PosKind::Jupiter).await;
    let dir = tempfile::tempdir().unwrap();
    let kiosk = jupiter_engine(&sim, &dir);
    let board = board_of(&kiosk);
    let http = reqwest::Client::new();

    // Paid at the kiosk: the kiosk closes it in Jupiter with the payment at once, which says
    // nothing about the kitchen, so it is "preparing" (from the journal; JPOS lists only open
    // orders).
    let (paid, _) = order(&kiosk).await;
    let v = view(&board, &kiosk).await;
    assert_eq!(numbers(&v), (vec![paid.clone()], vec![]));

    // An order opened at the cash desk under the kiosk's user: listed by JPOS as open...
    let r: serde_json::Value = http
        .post(format!("{}/_sim/orders", sim.url()))
        .json(
            &serde_json::json!({"owner": pos_sim::jupiter::KIOSK_USER, "name": "77",
            "lines": [{"product_uid": "3:1:0:1001"}]}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let uid = r["uid"].as_str().unwrap().to_string();
    let v = view(&board, &kiosk).await;
    // Both appeared within the same second or so: oldest first is not decidable, so compare
    // the column as a set.
    let (mut preparing, ready) = numbers(&v);
    preparing.sort();
    let mut expected = vec![paid.clone(), "77".to_string()];
    expected.sort();
    assert_eq!((preparing, ready), (expected, vec![]));

    // ...and ready once staff close it: it drops out of `open_orders`, the board asks about it
    // by id and learns it is closed.
    let r = http
        .post(format!("{}/_sim/orders/{uid}/close", sim.url()))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let v = view(&board, &kiosk).await;
    assert_eq!(numbers(&v), (vec![paid], vec!["77".to_string()]));
    assert!(v.ready[0].fresh);
}
