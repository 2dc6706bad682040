//! Jupiter with `[pos] strategy = "submit_first"` (reference §8.4 B), the engine against the
//! real Jupiter simulator on 127.0.0.1:0 and its card terminal: the order goes to Jupiter open
//! before the payment (the kitchen ticket prints), the kiosk charges exactly Jupiter's
//! `sum_fakt`, then closes the order with the payment. Every unpaid end (declined, walked away,
//! restarted) leaves the order open for staff with a "NOT PAID" alert and charges nothing.
//!
//! The POS is the real adapter wrapped in a recorder of `place_order` calls, so the tests can
//! tell an open send from a closing one; the simulator says what Jupiter holds and printed.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use kiosk_core::cart::{Cart, OrderType};
use kiosk_core::catalog::Catalog;
use kiosk_core::checkout::CheckoutState;
use kiosk_core::order::{OrderContext, OrderRequest, PosInfo, PosOrder};
use kiosk_core::ports::Pos;
use kiosk_core::pricing::{Quote, QuoteSource};
use kiosk_core::view::{CheckoutNotice, CheckoutResult, StaffAction, StaffProblem};
use kiosk_core::{Money, PosError};
use kiosk_engine::config::JupiterStrategy;
use kiosk_engine::engine::Engine;
use kiosk_engine::journal::{Changes, CheckoutRecord, NewCheckout};
use kiosk_engine::secrets::MemorySecrets;
use kiosk_engine::KioskConfig;
use pos_sim::{Fault, FaultKind, PaymentOutcomeMode, SimServer};
use serde_json::Value;
use support::{demo_config, fast, spawn_pos};

/// Two cheeseburgers with their free sauce and a cola with its size (the Jupiter demo's uids).
const CART: &str = r#"{"order_type":"takeaway","lines":[{"dish":"3:1:0:1001","qty":2,"modifiers":[{"id":"3:99:0:5001","qty":1}]},{"dish":"3:1:0:1901","qty":1,"modifiers":[{"id":"3:99:0:5101","qty":1}]}]}"#;
/// An automatic discount for kiosk orders, which only Jupiter applies.
const DISCOUNT: &str = r#"{"discounts":[{"name":"Киоск -10%","percent":"10","source":"Киоск"}]}"#;
/// A Jupiter simulator staff password (pos-sim's defaults).
const STAFF_PASSWORD: &str = "11112";

/// One `place_order` call: open (no payment) or closing (with the amount paid).
#[derive(Debug, Clone, PartialEq)]
enum Send {
    Open(String),
    Close(String, Money),
}

/// The real Jupiter adapter, with a record of the orders sent through it.
struct Recording {
    inner: Arc<dyn Pos>,
    sends: Mutex<Vec<Send>>,
}

impl Recording {
    fn sends(&self) -> Vec<Send> {
        self.sends.lock().unwrap().clone()
    }
}

#[async_trait]
impl Pos for Recording {
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }
    fn resend_is_safe(&self) -> bool {
        self.inner.resend_is_safe()
    }
    fn submit_first(&self) -> bool {
        self.inner.submit_first()
    }
    fn print_header(&self) -> Option<String> {
        self.inner.print_header()
    }
    async fn ping(&self) -> Result<PosInfo, PosError> {
        self.inner.ping().await
    }
    async fn menu(&self) -> Result<Catalog, PosError> {
        self.inner.menu().await
    }
    async fn price(
        &self,
        catalog: &Catalog,
        cart: &Cart,
        ctx: &OrderContext,
    ) -> Result<Quote, PosError> {
        self.inner.price(catalog, cart, ctx).await
    }
    async fn place_order(
        &self,
        catalog: &Catalog,
        req: &OrderRequest,
    ) -> Result<PosOrder, PosError> {
        self.sends.lock().unwrap().push(match &req.payment {
            None => Send::Open(req.external_id.clone()),
            Some(p) => Send::Close(req.external_id.clone(), p.receipt.amount),
        });
        self.inner.place_order(catalog, req).await
    }
    async fn find_order(&self, external_id: &str) -> Result<Option<PosOrder>, PosError> {
        self.inner.find_order(external_id).await
    }
    async fn orders(&self, ids: &[String]) -> Result<Vec<PosOrder>, PosError> {
        self.inner.orders(ids).await
    }
}

struct Rig {
    sim: SimServer,
    engine: Arc<Engine>,
    pos: Arc<Recording>,
    config: KioskConfig,
    secrets: MemorySecrets,
    _dir: tempfile::TempDir,
}

impl Rig {
    /// A Jupiter kiosk that submits first; `walk_away_s` is the screen's idle reset.
    async fn new(discount: bool, walk_away_s: u32) -> Rig {
        let sim = spawn_pos(pos_sim::PosKind::Jupiter).await;
        if discount {
            let r = admin(&sim, "/_sim/config", Some(DISCOUNT)).await;
            assert!(r.to_string().contains("Киоск -10%"), "{r}");
        }
        let dir = tempfile::tempdir().unwrap();
        let (mut config, secrets) = demo_config(
            pos_sim::PosKind::Jupiter,
            &sim.url(),
            dir.path().to_path_buf(),
        );
        config.pos.strategy = JupiterStrategy::SubmitFirst;
        // The customer's answer is awaited until the screen resets: idle + countdown.
        config.kiosk.idle_timeout_s = walk_away_s / 2;
        config.kiosk.idle_countdown_s = walk_away_s - walk_away_s / 2;
        let (engine, pos) = engine_on(&config, &secrets);
        Rig {
            sim,
            engine,
            pos,
            config,
            secrets,
            _dir: dir,
        }
    }

    /// The same kiosk started again on the same journal (after a crash), background work on.
    fn restart(&self) -> (Arc<Engine>, Arc<Recording>) {
        let (engine, pos) = engine_on(&self.config, &self.secrets);
        engine.start_background();
        (engine, pos)
    }

    fn cart(&self) -> Cart {
        serde_json::from_str(CART).unwrap()
    }

    async fn local_total(&self) -> Money {
        let priced = self.engine.price(1, self.cart()).await.unwrap();
        assert_eq!(
            priced.quote.source,
            QuoteSource::Estimate,
            "Jupiter prices locally"
        );
        priced.quote.total
    }

    /// Checks the cart out at `total`, as the customer's "Pay" does.
    async fn pay_cart(&self, total: Money) -> CheckoutResult {
        self.engine
            .checkout(self.cart(), total, Arc::new(|_| {}))
            .await
            .unwrap()
    }

    /// Pays the locally priced total and finds Jupiter asking the customer to accept its own
    /// total; returns the checkout left waiting for that answer.
    async fn shown_a_new_total(&self) -> CheckoutRecord {
        let shown = self.local_total().await;
        let result = self.pay_cart(shown).await;
        assert!(matches!(result, CheckoutResult::PriceChanged { .. }));
        self.last_checkout()
    }

    fn last_checkout(&self) -> CheckoutRecord {
        let journal = &self.engine.checkouts.as_ref().unwrap().journal;
        journal.recent(1).unwrap().remove(0)
    }

    fn history(&self, id: &str) -> Vec<String> {
        let journal = &self.engine.checkouts.as_ref().unwrap().journal;
        journal
            .history(id)
            .unwrap()
            .into_iter()
            .map(|t| t.to)
            .collect()
    }

    /// Jupiter's orders, as its admin view lists them.
    async fn orders(&self) -> Vec<Value> {
        admin(&self.sim, "/_sim/orders", None).await["orders"]
            .as_array()
            .unwrap()
            .clone()
    }

    async fn kitchen_tickets(&self, uid: &str) -> usize {
        admin(&self.sim, "/_sim/prints", None).await["prints"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["kind"] == "kitchen" && p["order_uid"] == uid)
            .count()
    }

    /// Approved payments that are still charged (not reversed nor refunded), by amount.
    fn charged(&self) -> Vec<Money> {
        self.sim
            .control()
            .payments()
            .into_iter()
            .filter(|p| p.status == "approved" && !p.reversed && p.refunds.is_empty())
            .map(|p| Money::parse(&p.amount).unwrap())
            .collect()
    }
}

fn engine_on(config: &KioskConfig, secrets: &MemorySecrets) -> (Arc<Engine>, Arc<Recording>) {
    let pos = Arc::new(Recording {
        inner: kiosk_engine::pos::build(config, secrets).unwrap(),
        sends: Mutex::new(vec![]),
    });
    let provider = kiosk_engine::pos::build_provider(config).unwrap();
    let engine = Engine::new(config.clone(), pos.clone(), provider, fast()).unwrap();
    (engine, pos)
}

async fn admin(sim: &SimServer, path: &str, body: Option<&str>) -> Value {
    let http = reqwest::Client::new();
    let url = format!("{}{path}", sim.url());
    let r = match body {
        Some(b) => http
            .post(url)
            .header("content-type", "application/json")
            .body(b.to_string()),
        None => http.get(url),
    }
    .send()
    .await
    .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

fn money(v: &Value) -> Money {
    Money::parse(v.as_str().unwrap()).unwrap()
}

async fn wait_state(engine: &Engine, id: &str, want: &[CheckoutState]) -> CheckoutRecord {
    let journal = &engine.checkouts.as_ref().unwrap().journal;
    for _ in 0..200 {
        let rec = journal.get(id).unwrap();
        if want.contains(&rec.state) {
            return rec;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "checkout {id} never reached {want:?}: {:?}",
        journal.get(id).unwrap().state
    );
}

const PLACED: &[CheckoutState] = &[
    CheckoutState::Posted,
    CheckoutState::Tracking,
    CheckoutState::Completed,
];

fn staff_reason(rec: &CheckoutRecord) -> String {
    match &rec.notice {
        Some(CheckoutNotice::AskStaff { reason }) => reason.clone(),
        other => panic!("no staff alert: {other:?}"),
    }
}

/// The order Jupiter holds open for staff: unpaid, printed once, and the alert names it.
async fn assert_left_open_for_staff(r: &Rig, rec: &CheckoutRecord) {
    assert_eq!(rec.state, CheckoutState::NeedsStaff);
    let reason = staff_reason(rec);
    assert!(reason.starts_with("NOT PAID – void order "), "{reason}");
    let uid = rec.external_id.as_str();
    assert_eq!(rec.pos_order_id.as_deref(), Some(uid));
    let orders = r.orders().await;
    let order = orders.iter().find(|o| o["uid"] == uid).expect("in Jupiter");
    assert_eq!(order["closed"], false, "{order}");
    assert_eq!(money(&order["paid"]), Money::ZERO, "{order}");
    // Named as Jupiter's staff find it: its number, or the name its open-order list shows.
    let num = order["order"]["num"].as_str().unwrap();
    let name = order["order"]["name"].as_str().unwrap();
    assert!(
        reason.contains(&format!("void order {num} "))
            || reason.contains(&format!("void order {name} ")),
        "{reason} / {num} / {name}"
    );
    assert_eq!(r.kitchen_tickets(uid).await, 1);
    assert!(rec.receipt.is_none());
}

#[tokio::test]
async fn the_order_is_sent_open_then_charged_at_jupiters_total_and_closed() {
    let r = Rig::new(false, 60).await;
    let total = r.local_total().await;
    let CheckoutResult::Placed { order } = r.pay_cart(total).await else {
        panic!("not placed")
    };
    assert!(PLACED.contains(&order.state), "{order:?}");
    let rec = r.last_checkout();
    let uid = rec.external_id.clone();
    assert_eq!(
        r.pos.sends(),
        vec![Send::Open(uid.clone()), Send::Close(uid.clone(), total)],
        "one open send, then one closing send with the payment"
    );
    let history = r.history(&rec.id);
    assert_eq!(
        &history[..7],
        [
            "priced",
            "submitting",
            "submitted",
            "payment_started",
            "paid",
            "posting",
            "posted"
        ]
    );
    assert_eq!(r.charged(), vec![total]);
    let orders = r.orders().await;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0]["uid"], uid.as_str());
    assert_eq!(orders[0]["closed"], true);
    assert_eq!(money(&orders[0]["total"]), total, "Jupiter's sum_fakt");
    assert_eq!(money(&orders[0]["paid"]), total);
    assert_eq!(r.kitchen_tickets(&uid).await, 1);
    // The number the guest is called by is Jupiter's.
    assert_eq!(order.number, orders[0]["order"]["num"].as_str().unwrap());
}

#[tokio::test]
async fn an_automatic_discount_is_shown_and_accepted_before_the_discounted_total_is_charged() {
    let r = Rig::new(true, 60).await;
    let shown = r.local_total().await;
    let CheckoutResult::PriceChanged { quote } = r.pay_cart(shown).await else {
        panic!("the customer must see Jupiter's total first")
    };
    let discounted = quote.quote.total;
    assert_eq!(quote.quote.source, QuoteSource::Pos);
    assert!(discounted < shown, "{discounted} < {shown}");
    assert!(
        quote
            .quote
            .adjustments
            .iter()
            .any(|a| a.name == "Киоск -10%"),
        "{:?}",
        quote.quote.adjustments
    );
    // Sent open (the kitchen has it), nothing charged.
    let rec = r.last_checkout();
    let uid = rec.external_id.clone();
    assert_eq!(rec.state, CheckoutState::Submitted);
    assert_eq!(rec.total, discounted);
    assert!(r.sim.control().payments().is_empty());
    assert_eq!(r.kitchen_tickets(&uid).await, 1);

    // A "Pay" for the old total is not the customer's answer: show Jupiter's again.
    let again = r.pay_cart(shown).await;
    assert!(
        matches!(&again, CheckoutResult::PriceChanged { quote } if quote.quote.total == discounted),
        "{again:?}"
    );
    assert!(r.sim.control().payments().is_empty());

    // The customer accepts the new total: exactly it is charged, on the same order.
    let CheckoutResult::Placed { order } = r.pay_cart(discounted).await else {
        panic!("not placed")
    };
    assert!(PLACED.contains(&order.state), "{order:?}");
    assert_eq!(order.checkout_id, rec.id, "the same checkout went on");
    assert_eq!(order.total, discounted);
    assert_eq!(r.charged(), vec![discounted], "never the old total");
    assert_eq!(
        r.pos.sends(),
        vec![
            Send::Open(uid.clone()),
            Send::Close(uid.clone(), discounted)
        ]
    );
    let orders = r.orders().await;
    assert_eq!(orders.len(), 1, "no second order");
    assert_eq!(orders[0]["closed"], true);
    assert_eq!(money(&orders[0]["paid"]), discounted);
    assert_eq!(r.kitchen_tickets(&uid).await, 1);
}

#[tokio::test]
async fn a_declined_payment_leaves_the_order_open_for_staff_and_charges_nothing() {
    let r = Rig::new(false, 60).await;
    r.sim
        .control()
        .set_payment_outcome(PaymentOutcomeMode::Decline, 0);
    let total = r.local_total().await;
    let result = r.pay_cart(total).await;
    assert!(
        matches!(result, CheckoutResult::PaymentDeclined { .. }),
        "{result:?}"
    );
    let rec = r.last_checkout();
    assert_left_open_for_staff(&r, &rec).await;
    assert!(reason_has(&rec, "declined"));
    assert!(r.charged().is_empty());
    assert_eq!(r.pos.sends(), vec![Send::Open(rec.external_id.clone())]);
    // Never charged later: a restart has nothing to resume, and the watch for late payments
    // asks the terminal, finds the decline, and leaves it with staff.
    let (again, pos) = engine_on(&r.config, &r.secrets);
    let checkouts = again.checkouts.clone().unwrap();
    assert_eq!(checkouts.resume_all().unwrap(), 0);
    let mut settled = std::collections::HashSet::new();
    let sweep = checkouts.sweep_late_payments(&mut settled).await.unwrap();
    assert_eq!((sweep.refunded, sweep.raised, sweep.watched), (0, 0, 0));
    assert!(settled.contains(&rec.id), "asked about, and over");
    assert_eq!(
        again.order_view(&rec.id).unwrap().state,
        CheckoutState::NeedsStaff
    );
    assert!(pos.sends().is_empty());
    assert!(r.charged().is_empty());

    // The staff list shows it as a problem to settle, not as a payment to refund or resend.
    let desk =
        kiosk_engine::staff::StaffDesk::from_engine(r.engine.clone(), &r.secrets, None).unwrap();
    let session = match desk
        .login(kiosk_core::view::StaffCredential::Password {
            password: STAFF_PASSWORD.into(),
        })
        .await
        .unwrap()
    {
        kiosk_core::view::StaffLoginVerdict::Granted { session } => session.session,
        other => panic!("login refused: {other:?}"),
    };
    let list = desk.orders(&session).await.unwrap();
    let row = list
        .problems
        .iter()
        .find(|row| row.checkout_id.as_deref() == Some(rec.id.as_str()))
        .expect("on the problem list");
    match &row.problem {
        Some(StaffProblem::NeedsStaff { reason }) => {
            assert!(reason.contains("NOT PAID"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert!(row.actions.contains(&StaffAction::MarkHandled));
    assert!(!row.actions.contains(&StaffAction::Refund));
    assert!(!row.actions.contains(&StaffAction::RetrySend));
}

fn reason_has(rec: &CheckoutRecord, word: &str) -> bool {
    staff_reason(rec).contains(word)
}

#[tokio::test]
async fn a_customer_who_walks_away_from_the_new_total_leaves_the_order_to_staff() {
    let r = Rig::new(true, 2).await;
    let id = r.shown_a_new_total().await.id;
    // The screen went back to the start after its idle time: nobody will answer.
    let rec = wait_state(&r.engine, &id, &[CheckoutState::NeedsStaff]).await;
    assert_left_open_for_staff(&r, &rec).await;
    assert!(reason_has(&rec, "did not accept"));
    assert!(r.sim.control().payments().is_empty());
}

#[tokio::test]
async fn another_cart_instead_of_an_answer_sends_the_waiting_order_to_staff() {
    let r = Rig::new(true, 600).await;
    let waiting = r.shown_a_new_total().await;
    // The guest took a cola off the order and paid that instead.
    let mut smaller = r.cart();
    smaller.lines.truncate(1);
    let local = r
        .engine
        .price(2, smaller.clone())
        .await
        .unwrap()
        .quote
        .total;
    let second = r
        .engine
        .checkout(smaller, local, Arc::new(|_| {}))
        .await
        .unwrap();
    let CheckoutResult::PriceChanged { quote } = second else {
        panic!("{second:?}")
    };
    let rec = wait_state(&r.engine, &waiting.id, &[CheckoutState::NeedsStaff]).await;
    assert_left_open_for_staff(&r, &rec).await;
    assert!(reason_has(&rec, "changed the order"));
    // The new cart is its own order, waiting for its own answer.
    let newer = r.last_checkout();
    assert_ne!(newer.id, waiting.id);
    assert_eq!(
        (newer.state, newer.total),
        (CheckoutState::Submitted, quote.quote.total)
    );
    assert!(r.sim.control().payments().is_empty());
}

#[tokio::test]
async fn after_a_restart_an_unpaid_open_order_goes_to_staff_and_is_never_charged() {
    // The first kiosk waits (for longer than the test) for the guest to accept a discount,
    // then "crashes": its journal is all the second one has.
    let r = Rig::new(true, 3600).await;
    let id = r.shown_a_new_total().await.id;
    let (again, pos) = r.restart();
    let rec = wait_state(&again, &id, &[CheckoutState::NeedsStaff]).await;
    assert_left_open_for_staff(&r, &rec).await;
    assert!(reason_has(&rec, "stopped before the guest paid"));
    assert!(pos.sends().is_empty(), "nothing is sent again");
    assert!(r.sim.control().payments().is_empty());
}

/// A checkout journaled as `Submitting` by a kiosk that died before (or after) its send.
async fn submitting_checkout(r: &Rig, sent: bool) -> CheckoutRecord {
    let cart = r.cart();
    let quote = r.engine.price(1, cart.clone()).await.unwrap().quote;
    let checkouts = r.engine.checkouts.as_ref().unwrap();
    let id = uuid_like(if sent { "a" } else { "b" });
    let rec = checkouts
        .journal
        .create(&NewCheckout {
            id: &id,
            order_type: OrderType::Takeaway,
            cart: &cart,
            quote: &quote,
            provider: "simulator",
            attempt_id: &format!("{id}-1"),
            external_id: &format!("demo-1-{}", &id[..12]),
        })
        .unwrap();
    let rec = checkouts
        .journal
        .transition(
            &rec.id,
            CheckoutState::Priced,
            CheckoutState::Submitting,
            Changes::default(),
            None,
        )
        .unwrap();
    if sent {
        let menu = r.engine.menu_view().await.unwrap();
        let order = r
            .pos
            .place_order(&menu.catalog, &checkouts.request(&rec))
            .await
            .unwrap();
        assert_eq!(order.pos_order_id, rec.external_id);
    }
    rec
}

fn uuid_like(seed: &str) -> String {
    seed.repeat(32)
}

#[tokio::test]
async fn a_crash_while_submitting_is_resolved_by_a_lookup_never_by_a_resend() {
    let r = Rig::new(false, 60).await;
    let absent = submitting_checkout(&r, false).await;
    let open = submitting_checkout(&r, true).await;
    let (again, pos) = r.restart();
    // Jupiter never got the first: nothing happened, nothing was charged.
    let rec = wait_state(&again, &absent.id, &[CheckoutState::PaymentFailed]).await;
    assert!(rec.pos_order_id.is_none());
    // Jupiter has the second open: staff void it.
    let rec = wait_state(&again, &open.id, &[CheckoutState::NeedsStaff]).await;
    assert_left_open_for_staff(&r, &rec).await;
    assert!(pos.sends().is_empty(), "a lookup only");
    assert_eq!(r.orders().await.len(), 1);
    assert!(r.sim.control().payments().is_empty());
}

#[tokio::test]
async fn a_lost_answer_to_the_open_send_is_sent_again_and_merged() {
    let r = Rig::new(false, 60).await;
    r.sim
        .control()
        .add_fault(Fault::new("add_new_order", FaultKind::CommitThenDrop).times(1));
    let total = r.local_total().await;
    let result = r.pay_cart(total).await;
    assert!(
        matches!(result, CheckoutResult::Placed { .. }),
        "{result:?}"
    );
    let uid = r.last_checkout().external_id;
    assert_eq!(
        r.pos.sends(),
        vec![
            Send::Open(uid.clone()),
            Send::Open(uid.clone()),
            Send::Close(uid.clone(), total)
        ]
    );
    let orders = r.orders().await;
    assert_eq!(orders.len(), 1, "merged, not duplicated");
    assert_eq!(money(&orders[0]["paid"]), total);
    assert_eq!(r.kitchen_tickets(&uid).await, 1);
    assert_eq!(r.charged(), vec![total]);
}

#[tokio::test]
async fn jupiter_out_of_reach_before_payment_charges_nothing_and_creates_nothing() {
    let r = Rig::new(false, 60).await;
    let total = r.local_total().await;
    r.sim
        .control()
        .add_fault(Fault::new("add_new_order", FaultKind::ConnectionReset).times(100));
    let e = r
        .engine
        .checkout(r.cart(), total, Arc::new(|_| {}))
        .await
        .unwrap_err();
    assert_eq!(
        e.code,
        kiosk_core::error::ErrorCode::PosUnreachable,
        "{e:?}"
    );
    // Looked up in the background: Jupiter surely has no such order.
    let id = r.last_checkout().id;
    let rec = wait_state(&r.engine, &id, &[CheckoutState::PaymentFailed]).await;
    assert!(rec.pos_order_id.is_none());
    assert!(r.sim.control().payments().is_empty());
    assert!(r.orders().await.is_empty());
}
