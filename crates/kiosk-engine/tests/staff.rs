//! Staff mode against the real simulators on 127.0.0.1:0, both POS systems: login (PINs with
//! lockout, Jupiter passwords and cards), the order list with problems first, every action,
//! a lock conflict between two staff tablets, a refund of a problem order that the simulated
//! terminal records, a resend that cannot double an order, and the history with who and when.
//!
//! Time is moved by hand (a manual staff clock), never slept on.

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kiosk_core::cart::{Cart, CartLine, OrderType};
use kiosk_core::checkout::CheckoutState;
use kiosk_core::error::{ErrorCode, IpcError};
use kiosk_core::payment::{PaymentOutcome, PaymentRequest};
use kiosk_core::view::{
    CheckoutNotice, CheckoutResult, OrderView, StaffAction, StaffClosePayment, StaffCredential,
    StaffEvent, StaffHistoryKind, StaffLoginMethod, StaffLoginVerdict, StaffOrderRef,
    StaffOrderRow, StaffOrdersView, StaffOutcome, StaffProblem,
};
use kiosk_core::Money;
use kiosk_engine::engine::Engine;
use kiosk_engine::journal::{Changes, CheckoutRecord, NewCheckout};
use kiosk_engine::secrets::MemorySecrets;
use kiosk_engine::staff::jupiter::user_key;
use kiosk_engine::staff::{StaffClock, StaffDesk, StaffError, StaffSettings, STAFF_FILE};
use pos_sim::{Fault, FaultKind, SimServer};
use serde_json::{json, Value};
use support::{demo_config, fast, simple_line, spawn_pos};

const ANNA_PIN: &str = "4821";
const BORIS_PIN: &str = "7300";
/// Jupiter simulator staff (pos-sim's defaults): password, card track, user id.
const TROFIMOVA_PW: &str = "11112";
const TROFIMOVA_CARD: &str = ";7001234567=0000?";
const TROFIMOVA_UID: &str = "4:1:0:15";
const PIKAROV_PW: &str = "2222";

/// A staff clock the test moves by hand.
fn manual_clock() -> (StaffClock, Arc<AtomicU64>) {
    let ms = Arc::new(AtomicU64::new(0));
    let t = ms.clone();
    (
        Arc::new(move || Duration::from_millis(t.load(Ordering::SeqCst))),
        ms,
    )
}

struct Rig {
    sim: SimServer,
    engine: Arc<Engine>,
    desk: Arc<StaffDesk>,
    clock: Arc<AtomicU64>,
    secrets: MemorySecrets,
    dir: tempfile::TempDir,
}

impl Rig {
    fn advance(&self, secs: u64) {
        self.clock.fetch_add(secs * 1000, Ordering::SeqCst);
    }

    fn checkouts(&self) -> Arc<kiosk_engine::checkout::Checkouts> {
        self.engine.checkouts.clone().unwrap()
    }

    /// Another staff tablet: a second kiosk process with its own data folder on the same POS.
    fn second_tablet(&self) -> (Arc<StaffDesk>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let mut config = self.engine.config.clone();
        config.kiosk.data_dir = Some(dir.path().to_path_buf());
        std::fs::copy(
            self.dir.path().join(STAFF_FILE),
            dir.path().join(STAFF_FILE),
        )
        .unwrap();
        let engine = Engine::from_config(config, &self.secrets, fast()).unwrap();
        let desk = StaffDesk::from_engine(engine, &self.secrets, None).unwrap();
        (Arc::new(desk), dir)
    }
}

fn cheap() -> argon2::Params {
    argon2::Params::new(256, 1, 1, None).unwrap()
}

fn write_staff(dir: &std::path::Path, f: impl FnOnce(&mut StaffSettings)) {
    let mut s = StaffSettings {
        max_failures: 3,
        lockout_s: 30,
        idle_logout_s: 120,
        counter_tender: Some("1".into()),
        ..StaffSettings::default()
    };
    f(&mut s);
    s.save(&dir.join(STAFF_FILE)).unwrap();
}

async fn rig(pos: pos_sim::PosKind, provider: &str) -> Rig {
    let sim = spawn_pos(pos).await;
    let dir = tempfile::tempdir().unwrap();
    let (mut config, secrets) = demo_config(pos, &sim.url(), dir.path().to_path_buf());
    config.payment.provider = provider.into();
    write_staff(dir.path(), |s| {
        s.upsert_member("anna", "Анна К.", Some(ANNA_PIN), cheap())
            .unwrap();
        s.upsert_member("boris", "Борис Л.", Some(BORIS_PIN), cheap())
            .unwrap();
        s.upsert_member(&user_key(TROFIMOVA_UID), "Трофимова В.А.", None, cheap())
            .unwrap();
    });
    let engine = Engine::from_config(config, &secrets, fast()).unwrap();
    let (clock, ms) = manual_clock();
    let desk = StaffDesk::from_engine(engine.clone(), &secrets, None)
        .unwrap()
        .with_clock(clock);
    Rig {
        sim,
        engine,
        desk: Arc::new(desk),
        clock: ms,
        secrets,
        dir,
    }
}

async fn login(desk: &StaffDesk, cred: StaffCredential) -> String {
    match desk.login(cred).await.unwrap() {
        StaffLoginVerdict::Granted { session } => session.session,
        other => panic!("login refused: {other:?}"),
    }
}

fn pin(staff_id: Option<&str>, pin: &str) -> StaffCredential {
    StaffCredential::Pin {
        staff_id: staff_id.map(Into::into),
        pin: pin.into(),
    }
}

fn password(p: &str) -> StaffCredential {
    StaffCredential::Password { password: p.into() }
}

async fn cart(r: &Rig) -> Cart {
    let menu = r.engine.menu_view().await.unwrap();
    Cart {
        order_type: OrderType::Takeaway,
        lines: vec![simple_line(&menu.catalog, 1)],
    }
}

/// A paid checkout the machine handed to staff: the card was really charged at the simulated
/// terminal, the order was sent (`posted`) or not, and the deadline ran out while `Posting`
/// (the state a kiosk reaches after half an hour of a POS that does not answer).
async fn paid_needing_staff(r: &Rig, id: &str, posted: bool) -> CheckoutRecord {
    paid(r, id, posted, true).await
}

/// A paid checkout in `Posting` (`to_staff` false: the kiosk is still sending it) or handed
/// to staff after that.
async fn paid(r: &Rig, id: &str, posted: bool, to_staff: bool) -> CheckoutRecord {
    let c = r.checkouts();
    let cart = cart(r).await;
    let quote = r.engine.price(1, cart.clone()).await.unwrap().quote;
    let external_id = format!("demo-1-{id}");
    let attempt_id = format!("{id}-1");
    let rec = c
        .journal
        .create(&NewCheckout {
            id,
            order_type: cart.order_type,
            cart: &cart,
            quote: &quote,
            provider: "simulator",
            attempt_id: &attempt_id,
            external_id: &external_id,
        })
        .unwrap();
    let step = |rec: &CheckoutRecord, to, changes| {
        c.journal
            .transition(&rec.id, rec.state, to, changes, None)
            .unwrap()
    };
    let rec = step(&rec, CheckoutState::PaymentStarted, Changes::default());
    let provider = kiosk_engine::pos::build_provider(&r.engine.config).unwrap();
    let outcome = provider
        .start(
            &PaymentRequest {
                attempt_id: attempt_id.clone(),
                order_ref: external_id.clone(),
                amount: quote.total,
                description: "test".into(),
            },
            Arc::new(|_| {}),
        )
        .await
        .unwrap();
    let PaymentOutcome::Approved { receipt } = outcome else {
        panic!("{outcome:?}")
    };
    let rec = step(
        &rec,
        CheckoutState::Paid,
        Changes {
            receipt: Some(receipt),
            ..Default::default()
        },
    );
    let rec = step(
        &rec,
        CheckoutState::Posting,
        Changes {
            count_post_attempt: true,
            ..Default::default()
        },
    );
    if posted {
        let menu = r.engine.menu.get().await.unwrap();
        r.engine
            .pos
            .place_order(&menu.catalog, &c.request(&rec))
            .await
            .unwrap();
    }
    if !to_staff {
        return rec;
    }
    step(
        &rec,
        CheckoutState::NeedsStaff,
        Changes {
            notice: Some(Some(CheckoutNotice::AskStaff {
                reason: "still posting after 1800s".into(),
            })),
            ..Default::default()
        },
    )
}

fn problem_row<'a>(v: &'a StaffOrdersView, checkout_id: &str) -> &'a StaffOrderRow {
    v.problems
        .iter()
        .find(|r| r.checkout_id.as_deref() == Some(checkout_id))
        .unwrap_or_else(|| panic!("{checkout_id} is not a problem: {v:#?}"))
}

fn code(e: StaffError) -> ErrorCode {
    IpcError::from(e).code
}

/// The staff entries of an order's history, as `(who, what)`; every one has a time.
async fn staff_history(desk: &StaffDesk, s: &str, order: StaffOrderRef) -> Vec<(String, String)> {
    let d = desk.order(s, order).await.unwrap();
    let mut out = vec![];
    let mut last = None;
    for h in &d.history {
        let at = time::OffsetDateTime::parse(&h.at, &time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|e| panic!("{h:?}: {e}"));
        assert!(
            last.is_none_or(|l| l <= at),
            "history is in order: {:?}",
            d.history
        );
        last = Some(at);
        if h.kind == StaffHistoryKind::Staff {
            out.push((h.staff.clone().unwrap(), h.what.clone()));
        }
    }
    out
}

async fn jpos_admin(sim: &SimServer, path: &str, body: Option<Value>) -> Value {
    let c = reqwest::Client::new();
    let url = format!("{}{path}", sim.url());
    let r = match body {
        Some(b) => c.post(url).json(&b).send().await.unwrap(),
        None => c.get(url).send().await.unwrap(),
    };
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

async fn jpos_order(sim: &SimServer, uid: &str) -> Value {
    let all = jpos_admin(sim, "/_sim/orders", None).await;
    all["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["uid"] == uid || o["jupiter_uid"] == uid)
        .cloned()
        .unwrap_or_else(|| panic!("no order {uid} in {all}"))
}

fn by_checkout(id: &str) -> StaffOrderRef {
    StaffOrderRef::Checkout {
        checkout_id: id.to_string(),
    }
}

fn by_pos(id: &str) -> StaffOrderRef {
    StaffOrderRef::Pos {
        pos_order_id: id.to_string(),
    }
}

/// A customer's order, paid and placed the way the kiosk takes them, with its total.
async fn place(r: &Rig) -> (OrderView, Money) {
    let cart = cart(r).await;
    let total = r.engine.price(1, cart.clone()).await.unwrap().quote.total;
    let out = r
        .engine
        .checkout(cart, total, Arc::new(|_| {}))
        .await
        .unwrap();
    let CheckoutResult::Placed { order } = out else {
        panic!("{out:?}")
    };
    (order, total)
}

/// A row of the list's other orders (not the problems), by its checkout or POS order id.
fn listed<'a>(v: &'a StaffOrdersView, id: &str) -> &'a StaffOrderRow {
    v.orders
        .iter()
        .find(|o| o.checkout_id.as_deref() == Some(id) || o.pos_order_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("{id} is not listed: {v:#?}"))
}

/// What staff did to an order, oldest first: `lock`, `lock.ok`…
async fn staff_whats(desk: &StaffDesk, s: &str, order: StaffOrderRef) -> Vec<String> {
    let h = staff_history(desk, s, order).await;
    h.into_iter().map(|(_, what)| what).collect()
}

/// The detail the history of an order keeps for its first entry `what`.
async fn history_detail(desk: &StaffDesk, s: &str, order: StaffOrderRef, what: &str) -> String {
    let d = desk.order(s, order).await.unwrap();
    let entry = d.history.iter().find(|h| h.what == what);
    let entry = entry.unwrap_or_else(|| panic!("no {what} in {:#?}", d.history));
    entry.detail.clone().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// r_keeper (ProCart)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn procart_staff_log_in_with_hashed_pins_locked_after_wrong_ones_and_out_when_idle() {
    let r = rig(pos_sim::PosKind::Procart, "simulator").await;
    let file = std::fs::read_to_string(r.dir.path().join(STAFF_FILE)).unwrap();
    assert!(
        !file.contains(ANNA_PIN) && file.contains("$argon2id$"),
        "{file}"
    );

    let info = r.desk.login_info();
    assert!(info.enabled, "{info:?}");
    assert_eq!(info.methods, vec![StaffLoginMethod::Pin]);
    let names: Vec<_> = info.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Анна К.", "Борис Л."], "only members with a PIN");

    // A PIN alone finds its member; with a member id only that member's PIN counts.
    let s = match r.desk.login(pin(None, BORIS_PIN)).await.unwrap() {
        StaffLoginVerdict::Granted { session } => session,
        other => panic!("{other:?}"),
    };
    assert_eq!(s.staff.name, "Борис Л.");
    assert_eq!(s.staff.id, "boris");
    assert!(s.capabilities.close && s.capabilities.print_info && !s.capabilities.lock);
    assert!(!s.capabilities.print_number, "no printer is configured");
    assert!(matches!(
        r.desk.login(pin(Some("anna"), BORIS_PIN)).await.unwrap(),
        StaffLoginVerdict::Wrong {
            attempts_before_lockout: 2,
            retry_in_s: 0
        }
    ));
    // Jupiter's way of logging in does not exist here.
    let e = r.desk.login(password(ANNA_PIN)).await.unwrap_err();
    assert_eq!(code(e), ErrorCode::BadInput);

    // Three wrong attempts lock the login; while locked even the right PIN is not checked.
    assert!(matches!(
        r.desk.login(pin(None, "0000")).await.unwrap(),
        StaffLoginVerdict::Wrong {
            attempts_before_lockout: 1,
            ..
        }
    ));
    assert!(matches!(
        r.desk.login(pin(None, "12")).await.unwrap(),
        StaffLoginVerdict::Wrong { retry_in_s: 30, .. }
    ));
    assert!(matches!(
        r.desk.login(pin(Some("anna"), ANNA_PIN)).await.unwrap(),
        StaffLoginVerdict::LockedOut { retry_in_s: 30 }
    ));
    assert_eq!(r.desk.login_info().retry_in_s, 30);
    r.advance(30);
    let anna = login(&r.desk, pin(Some("anna"), ANNA_PIN)).await;

    // Activity keeps a session; 120 s without any ends it, and the screens are told. The
    // screens' own reads of the list (live updates) are not activity: a tablet left on the
    // counter with its list open still logs out.
    let mut events = r.desk.subscribe();
    r.advance(100);
    r.desk.session(&anna).await.unwrap();
    r.advance(100);
    r.desk.orders(&anna).await.unwrap();
    r.advance(19);
    r.desk.orders(&anna).await.unwrap();
    r.advance(2);
    let e = r.desk.orders(&anna).await.unwrap_err();
    assert_eq!(code(e), ErrorCode::NotAuthorized);
    let mut ended = vec![];
    while let Ok(ev) = events.try_recv() {
        if let StaffEvent::SessionEnded { session, reason } = ev {
            ended.push((session, reason));
        }
    }
    assert!(
        ended
            .iter()
            .any(|(s, why)| s == &anna && why.contains("no activity")),
        "{ended:?}"
    );
    // The other session idled too.
    assert!(r.desk.session(&s.session).await.is_err());
}

#[tokio::test]
async fn procart_problems_come_first_with_the_actions_that_fit() {
    let r = rig(pos_sim::PosKind::Procart, "simulator").await;
    let (order, total) = place(&r).await;
    assert_eq!(order.state, CheckoutState::Posted);
    let stuck = paid_needing_staff(&r, "stuck1", false).await;

    let s = login(&r.desk, pin(None, ANNA_PIN)).await;
    let v = r.desk.orders(&s).await.unwrap();
    assert!(v.pos_error.is_none(), "{:?}", v.pos_error);
    assert_eq!(v.problems.len(), 1, "{v:#?}");
    let p = problem_row(&v, &stuck.id);
    assert!(
        matches!(&p.problem, Some(StaffProblem::NeedsStaff { reason }) if reason.contains("1800")),
        "{p:?}"
    );
    assert_eq!(
        p.actions,
        [
            StaffAction::RetrySend,
            StaffAction::Refund,
            StaffAction::MarkHandled,
            StaffAction::PrintNumber
        ]
    );
    let o = listed(&v, &order.checkout_id);
    assert_eq!(o.total, total);
    assert_eq!(o.paid, Some(total), "the POS records the kiosk's payment");
    assert_eq!(o.pos_status.as_ref().map(|s| s.as_str()), Some("open"));
    assert!(o.age_s.is_some_and(|a| a < 600), "{o:?}");
    assert!(o.problem.is_none());
    assert_eq!(
        o.actions,
        [
            StaffAction::Close,
            StaffAction::PrintInfo,
            StaffAction::PrintNumber
        ]
    );
    // Every POS order is on one row only.
    let all: Vec<_> = v.problems.iter().chain(&v.orders).collect();
    assert_eq!(all.len(), 2, "{all:#?}");

    // Marking it handled needs a reason, takes it off the list, and says who in its history.
    let e = r.desk.mark_handled(&s, &stuck.id, "  ").await.unwrap_err();
    assert_eq!(code(e), ErrorCode::BadInput);
    assert_eq!(
        r.desk
            .mark_handled(&s, &stuck.id, "the guest paid again in cash")
            .await
            .unwrap(),
        StaffOutcome::Handled
    );
    let v = r.desk.orders(&s).await.unwrap();
    assert!(v.problems.is_empty());
    // It stays listed, saying who settled it and how.
    let row = listed(&v, &stuck.id);
    let mark = row.handled.as_ref().expect("the mark is shown");
    assert_eq!(mark.by, "Анна К. (anna)");
    assert_eq!(mark.reason, "the guest paid again in cash");
    assert!(!mark.at.is_empty());
    assert_eq!(row.actions, [StaffAction::PrintNumber]);
    assert!(
        v.orders
            .iter()
            .filter(|o| o.checkout_id.as_deref() != Some(stuck.id.as_str()))
            .all(|o| o.handled.is_none()),
        "no other row carries a mark"
    );
    let h = staff_history(&r.desk, &s, by_checkout(&stuck.id)).await;
    assert_eq!(
        h,
        [("Анна К. (anna)".to_string(), "mark_handled".to_string())]
    );
    let e = r
        .desk
        .mark_handled(&s, &stuck.id, "twice")
        .await
        .unwrap_err();
    assert_eq!(code(e), ErrorCode::BadInput);
}

#[tokio::test]
async fn procart_refund_of_a_problem_order_is_recorded_by_the_terminal() {
    let r = rig(pos_sim::PosKind::Procart, "simulator").await;
    let rec = paid_needing_staff(&r, "refund1", false).await;
    let charged = rec.receipt.as_ref().unwrap().amount;
    assert!(r.sim.control().payments()[0].refunds.is_empty());

    let s = login(&r.desk, pin(Some("boris"), BORIS_PIN)).await;
    let mut events = r.desk.subscribe();
    let out = r.desk.refund(&s, &rec.id).await.unwrap();
    let StaffOutcome::Refunded { amount, reference } = out else {
        panic!("{out:?}")
    };
    assert_eq!(amount, charged);
    let p = &r.sim.control().payments()[0];
    assert_eq!(p.refunds.len(), 1, "{p:?}");
    assert_eq!(p.refunds[0].refund_id, reference);
    assert_eq!(p.charged, "0.00", "{p:?}");
    assert!(matches!(
        events.try_recv(),
        Ok(StaffEvent::OrdersChanged { .. })
    ));

    // Settled: off the problem list, and a second refund is refused (nothing is sent).
    assert!(r.desk.orders(&s).await.unwrap().problems.is_empty());
    let e = r.desk.refund(&s, &rec.id).await.unwrap_err();
    assert_eq!(code(e), ErrorCode::BadInput);
    assert_eq!(r.sim.control().payments()[0].refunds.len(), 1);

    let d = r.desk.order(&s, by_checkout(&rec.id)).await.unwrap();
    assert_eq!(d.payment.as_ref().unwrap().amount, charged);
    let states: Vec<_> = d
        .history
        .iter()
        .filter(|h| h.kind == StaffHistoryKind::State)
        .map(|h| h.what.as_str())
        .collect();
    assert_eq!(
        states,
        [
            "priced",
            "payment_started",
            "paid",
            "posting",
            "needs_staff"
        ]
    );
    let h = staff_history(&r.desk, &s, by_checkout(&rec.id)).await;
    let boris = "Борис Л. (boris)".to_string();
    assert_eq!(
        h,
        [
            (boris.clone(), "refund".to_string()),
            (boris.clone(), "mark_handled".to_string()),
            (boris.clone(), "refund.ok".to_string()),
        ]
    );
    let refund = history_detail(&r.desk, &s, by_checkout(&rec.id), "refund").await;
    assert!(refund.contains(&charged.to_string()), "{refund}");
}

#[tokio::test]
async fn procart_retry_send_looks_the_order_up_first_and_never_doubles_it() {
    let r = rig(pos_sim::PosKind::Procart, "simulator").await;
    let s = login(&r.desk, pin(None, ANNA_PIN)).await;

    // The POS never got it: sent once, and the checkout is settled.
    let absent = paid_needing_staff(&r, "absent1", false).await;
    assert!(r.sim.control().orders().is_empty());
    let out = r.desk.retry_send(&s, &absent.id).await.unwrap();
    let StaffOutcome::Sent { pos_order_id, .. } = &out else {
        panic!("{out:?}")
    };
    let orders = r.sim.control().orders();
    assert_eq!(orders.len(), 1);
    assert!(same(&orders[0].guid, pos_order_id));
    assert_eq!(
        orders[0].paid_sum,
        absent.total.decimal(),
        "sent with the kiosk's payment"
    );
    assert_eq!(
        orders[0].external_id.as_deref(),
        Some(absent.external_id.as_str())
    );
    assert!(r.checkouts().journal.needing_staff().unwrap().is_empty());
    // A second tap does nothing: it is no longer waiting for staff.
    let e = r.desk.retry_send(&s, &absent.id).await.unwrap_err();
    assert_eq!(code(e), ErrorCode::BadInput);
    assert_eq!(r.sim.control().orders().len(), 1);

    // The POS got it but the answer was lost: found, not sent again.
    let there = paid_needing_staff(&r, "there1", true).await;
    assert_eq!(r.sim.control().orders().len(), 2);
    let out = r.desk.retry_send(&s, &there.id).await.unwrap();
    assert!(matches!(out, StaffOutcome::AlreadyInPos { .. }), "{out:?}");
    assert_eq!(r.sim.control().orders().len(), 2, "never a second order");
    assert_eq!(
        staff_whats(&r.desk, &s, by_checkout(&there.id)).await,
        ["retry_send", "retry_send.ok"]
    );

    // Still being sent by the kiosk (ProCart does not merge a resend): the lookup's answer
    // only, because the kiosk's own sender may be posting it at this moment.
    let posting = paid(&r, "posting1", false, false).await;
    assert_eq!(posting.state, CheckoutState::Posting);
    let out = r.desk.retry_send(&s, &posting.id).await.unwrap();
    assert!(
        matches!(out, StaffOutcome::StillSending { attempts: 1 }),
        "{out:?}"
    );
    assert_eq!(r.sim.control().orders().len(), 2);
    assert_eq!(
        r.checkouts().journal.get(&posting.id).unwrap().state,
        CheckoutState::Posting
    );

    // Still `Posting` but the POS has it: recorded as sent, nothing sent.
    let arrived = paid(&r, "arrived1", true, false).await;
    assert_eq!(r.sim.control().orders().len(), 3);
    let out = r.desk.retry_send(&s, &arrived.id).await.unwrap();
    assert!(matches!(out, StaffOutcome::AlreadyInPos { .. }), "{out:?}");
    assert_eq!(r.sim.control().orders().len(), 3);
    let rec = r.checkouts().journal.get(&arrived.id).unwrap();
    assert_eq!(rec.state, CheckoutState::Posted);
    assert!(rec.pos_order_id.is_some());
}

fn same(a: &str, b: &str) -> bool {
    kiosk_engine::tracker::same_id(a, b)
}

#[tokio::test]
async fn procart_an_order_paid_at_the_counter_is_closed_and_its_comment_read() {
    let r = rig(pos_sim::PosKind::Procart, "counter").await;
    let (order, total) = place(&r).await;
    assert!(
        order.pay_at_counter && order.state == CheckoutState::Posted,
        "{order:?}"
    );
    let guid = order.pos_order_id.clone().unwrap();

    let s = login(&r.desk, pin(None, ANNA_PIN)).await;
    let v = r.desk.orders(&s).await.unwrap();
    let p = problem_row(&v, &order.checkout_id);
    assert_eq!(p.problem, Some(StaffProblem::UnpaidAtCounter));
    assert_eq!(p.paid, Some(Money::ZERO));
    assert_eq!(
        p.actions,
        [
            StaffAction::MarkHandled,
            StaffAction::Close,
            StaffAction::PrintInfo,
            StaffAction::PrintNumber
        ]
    );

    let out = r.desk.print_info(&s, &guid).await.unwrap();
    let StaffOutcome::PrintInfo { comment } = out else {
        panic!("{out:?}")
    };
    assert!(comment.contains("to pay at the counter"), "{comment}");

    // No lock on ProCart.
    let e = r.desk.lock(&s, &guid).await.unwrap_err();
    assert_eq!(code(e), ErrorCode::BadInput);

    // Closed with the outstanding amount in the counter tender of the staff settings.
    let out = r
        .desk
        .close(&s, &guid, StaffClosePayment::default())
        .await
        .unwrap();
    let StaffOutcome::Closed { order: closed } = out else {
        panic!("{out:?}")
    };
    assert!(closed.status.is_final(), "{closed:?}");
    let sim_order = &r.sim.control().orders()[0];
    assert_eq!(sim_order.status.as_str(), "close");
    assert_eq!(sim_order.paid_sum, total.decimal());
    let pays = sim_order.detail.to_string();
    assert!(
        pays.contains("\"currency_code\":1") || pays.contains("\"currency_code\":\"1\""),
        "paid in the counter tender of the staff settings: {pays}"
    );
    let v = r.desk.orders(&s).await.unwrap();
    assert!(v.problems.is_empty(), "{v:#?}");
    let e = r
        .desk
        .close(&s, &guid, StaffClosePayment::default())
        .await
        .unwrap_err();
    assert_eq!(code(e), ErrorCode::BadInput, "closed already");

    let h = staff_history(&r.desk, &s, by_checkout(&order.checkout_id)).await;
    let whats: Vec<_> = h.iter().map(|(_, w)| w.as_str()).collect();
    assert_eq!(whats, ["print_info", "print_info.ok", "close", "close.ok"]);
    assert!(h.iter().all(|(who, _)| who == "Анна К. (anna)"));
}

#[tokio::test]
async fn printing_a_number_without_a_printer_says_so() {
    let r = rig(pos_sim::PosKind::Procart, "simulator").await;
    let rec = paid_needing_staff(&r, "print1", false).await;
    let s = login(&r.desk, pin(None, ANNA_PIN)).await;
    let order = by_checkout(&rec.id);
    let out = r.desk.print_number(&s, order.clone()).await.unwrap();
    assert!(
        matches!(&out, StaffOutcome::NoPrinter { reason } if reason.contains("no printer")),
        "{out:?}"
    );
    let d = r.desk.order(&s, order).await.unwrap();
    let last = d.history.last().unwrap();
    assert_eq!(last.what, "print_number.failed");
    assert!(last.detail.as_deref().unwrap().contains("no printer"));
}

// ---------------------------------------------------------------------------------------------
// Jupiter
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn jupiter_decides_logins_by_password_or_card_and_names_come_from_the_settings() {
    let r = rig(pos_sim::PosKind::Jupiter, "simulator").await;
    let info = r.desk.login_info();
    assert_eq!(
        info.methods,
        [StaffLoginMethod::Password, StaffLoginMethod::Card]
    );
    assert!(info.members.is_empty() && info.enabled, "{info:?}");

    let by_password = match r.desk.login(password(TROFIMOVA_PW)).await.unwrap() {
        StaffLoginVerdict::Granted { session } => session,
        other => panic!("{other:?}"),
    };
    assert_eq!(by_password.staff.name, "Трофимова В.А.");
    assert_eq!(by_password.staff.id, user_key(TROFIMOVA_UID));
    assert!(by_password.capabilities.lock && by_password.capabilities.add_client);
    assert!(by_password.warning.is_none());
    let by_card = match r
        .desk
        .login(StaffCredential::Card {
            track: TROFIMOVA_CARD.into(),
        })
        .await
        .unwrap()
    {
        StaffLoginVerdict::Granted { session } => session,
        other => panic!("{other:?}"),
    };
    assert_eq!(by_card.staff, by_password.staff);
    // A user the settings do not name is still told apart by the fingerprint.
    let pikarov = match r.desk.login(password(PIKAROV_PW)).await.unwrap() {
        StaffLoginVerdict::Granted { session } => session,
        other => panic!("{other:?}"),
    };
    assert_eq!(pikarov.staff.name, "Сотрудник");
    assert_ne!(pikarov.staff.id, by_password.staff.id);

    assert!(matches!(
        r.desk.login(password("9999")).await.unwrap(),
        StaffLoginVerdict::Wrong {
            attempts_before_lockout: 2,
            ..
        }
    ));
    let e = r.desk.login(pin(None, ANNA_PIN)).await.unwrap_err();
    assert_eq!(
        code(e),
        ErrorCode::BadInput,
        "r_keeper PINs are not Jupiter logins"
    );

    // Without a workday Jupiter still logs in, and staff are warned.
    jpos_admin(&r.sim, "/_sim/workday", Some(json!({"open": false}))).await;
    let StaffLoginVerdict::Granted { session } =
        r.desk.login(password(TROFIMOVA_PW)).await.unwrap()
    else {
        panic!()
    };
    assert!(session.warning.unwrap().contains("workday"));
}

/// An order opened at the cash desk by Трофимова, so it is in her open orders.
async fn cash_desk_order(r: &Rig) -> String {
    let menu = r.engine.menu_view().await.unwrap();
    let dish = simple_line(&menu.catalog, 1).dish;
    let v = jpos_admin(
        &r.sim,
        "/_sim/orders",
        Some(json!({"owner": TROFIMOVA_UID, "name": "Стол 5", "lines": [{"product_uid": dish, "quantity": "1"}]})),
    )
    .await;
    v["uid"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn jupiter_a_lock_held_by_another_tablet_or_session_is_shown_and_never_overridden() {
    let r = rig(pos_sim::PosKind::Jupiter, "simulator").await;
    let uid = cash_desk_order(&r).await;
    let (tablet_b, _dir_b) = r.second_tablet();

    let trofimova = login(&r.desk, password(TROFIMOVA_PW)).await;
    let pikarov_b = login(&tablet_b, password(PIKAROV_PW)).await;
    let v = r.desk.orders(&trofimova).await.unwrap();
    let row = listed(&v, &uid);
    assert_eq!(row.number, "Стол 5");
    assert_eq!(row.actions, [StaffAction::Lock, StaffAction::PrintNumber]);
    assert!(row.age_s.is_some());

    let out = r.desk.lock(&trofimova, &uid).await.unwrap();
    let StaffOutcome::Locked { order } = out else {
        panic!("{out:?}")
    };
    assert!(order.lock.as_ref().unwrap().mine);
    assert!(
        !order.quote.as_ref().unwrap().lines.is_empty(),
        "the lock brings the lines"
    );
    assert_eq!(jpos_order(&r.sim, &uid).await["locked_by"], TROFIMOVA_UID);

    // Another tablet: Jupiter refuses, in its own words, and the lock stays hers.
    let out = tablet_b.lock(&pikarov_b, &uid).await.unwrap();
    let StaffOutcome::LockRefused { held_by, message } = &out else {
        panic!("{out:?}")
    };
    assert_eq!(held_by, &None, "Jupiter does not say who");
    assert!(!message.is_empty());
    assert_eq!(jpos_order(&r.sim, &uid).await["locked_by"], TROFIMOVA_UID);
    // Nor can that tablet add dishes or print the bill without the lock.
    let e = tablet_b.print_bill(&pikarov_b, &uid).await.unwrap_err();
    assert_eq!(code(e), ErrorCode::BadInput);

    // Another session on this kiosk, even hers on a second screen: refused, with her name.
    let pikarov_a = login(&r.desk, password(PIKAROV_PW)).await;
    let trofimova_2 = login(&r.desk, password(TROFIMOVA_PW)).await;
    for s in [&pikarov_a, &trofimova_2] {
        let out = r.desk.lock(s, &uid).await.unwrap();
        assert!(
            matches!(&out, StaffOutcome::LockRefused { held_by: Some(h), .. } if h == "Трофимова В.А."),
            "{out:?}"
        );
        let e = r.desk.unlock(s, &uid).await.unwrap_err();
        assert_eq!(code(e), ErrorCode::BadInput, "only the holder unlocks");
    }
    // Her second screen lists the order as held by her first one, with nothing to do.
    let v = r.desk.orders(&trofimova_2).await.unwrap();
    let row = listed(&v, &uid);
    assert_eq!(row.locked_by.as_deref(), Some("Трофимова В.А."));
    assert_eq!(row.actions, [StaffAction::PrintNumber]);
    assert_eq!(jpos_order(&r.sim, &uid).await["locked_by"], TROFIMOVA_UID);

    // Released by her, then the other tablet gets it.
    assert_eq!(
        r.desk.unlock(&trofimova, &uid).await.unwrap(),
        StaffOutcome::Unlocked
    );
    assert_eq!(jpos_order(&r.sim, &uid).await["locked_by"], Value::Null);
    let out = tablet_b.lock(&pikarov_b, &uid).await.unwrap();
    assert!(matches!(out, StaffOutcome::Locked { .. }), "{out:?}");
    assert_eq!(jpos_order(&r.sim, &uid).await["locked_by"], "4:1:0:16");

    // Each tablet's history shows its own attempts, with who.
    let h = staff_history(&r.desk, &trofimova, by_pos(&uid)).await;
    let whats: Vec<_> = h.iter().map(|(_, w)| w.as_str()).collect();
    assert_eq!(
        whats,
        [
            "lock",
            "lock.ok",
            "lock",
            "lock.failed",
            "lock",
            "lock.failed",
            "unlock",
            "unlock.ok"
        ]
    );
    let trofimova_label = format!("Трофимова В.А. ({})", user_key(TROFIMOVA_UID));
    assert_eq!(h[0].0, trofimova_label);
    assert!(h[2].0.starts_with("Сотрудник (jpos-"));
}

#[tokio::test]
async fn jupiter_a_locked_order_gets_dishes_a_loyalty_client_and_its_bill() {
    let r = rig(pos_sim::PosKind::Jupiter, "simulator").await;
    let uid = cash_desk_order(&r).await;
    let s = login(&r.desk, password(TROFIMOVA_PW)).await;
    let menu = r.engine.menu_view().await.unwrap();
    let dish = simple_line(&menu.catalog, 1);

    let e = r
        .desk
        .add_dishes(&s, &uid, vec![dish.clone()])
        .await
        .unwrap_err();
    assert_eq!(code(e), ErrorCode::BadInput, "lock first");
    let StaffOutcome::Locked { order } = r.desk.lock(&s, &uid).await.unwrap() else {
        panic!()
    };
    let before = order.row.total;
    let lines_before = jpos_order(&r.sim, &uid).await["order"]["order_line"]
        .as_array()
        .unwrap()
        .len();
    let row_actions = order.row.actions.clone();
    assert_eq!(
        row_actions,
        [
            StaffAction::AddDishes,
            StaffAction::PrintBill,
            StaffAction::AddClient,
            StaffAction::Unlock,
            StaffAction::PrintNumber
        ]
    );

    // Two more of the dish: a new line, printed to the kitchen; the first line untouched.
    let out = r
        .desk
        .add_dishes(
            &s,
            &uid,
            vec![CartLine {
                qty: 2,
                ..dish.clone()
            }],
        )
        .await
        .unwrap();
    let StaffOutcome::Updated { order } = out else {
        panic!("{out:?}")
    };
    assert!(order.row.total > before, "{} > {before}", order.row.total);
    let sim_order = jpos_order(&r.sim, &uid).await;
    let lines = sim_order["order"]["order_line"].as_array().unwrap();
    assert_eq!(lines.len(), lines_before + 1, "{sim_order}");
    let prints = jpos_admin(&r.sim, "/_sim/prints", None).await;
    let kitchen: Vec<&Value> = prints["prints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "kitchen" && p["order_uid"] == sim_order["uid"])
        .collect();
    assert_eq!(kitchen.len(), 1, "only the new line is printed: {prints}");

    // A loyalty client: the discount it brings is shown.
    let e = r
        .desk
        .add_client(&s, &uid, "no-such-client")
        .await
        .unwrap_err();
    assert_eq!(code(e), ErrorCode::NotFound);
    let out = r.desk.add_client(&s, &uid, "1234").await.unwrap();
    let StaffOutcome::ClientAdded {
        client,
        discounts,
        total_before,
        total_after,
        order,
    } = out
    else {
        panic!("{out:?}")
    };
    assert_eq!(client.as_ref().unwrap().name, "Святослав");
    assert_eq!(client.unwrap().bonus, Money::from(100));
    assert_eq!(discounts.len(), 1, "{discounts:?}");
    assert!(discounts[0].amount.is_negative());
    assert!(total_after < total_before, "{total_after} < {total_before}");
    assert_eq!(order.client.as_ref().unwrap().name, "Святослав");
    assert_eq!(jpos_order(&r.sim, &uid).await["client"], "1234");

    // The bill: printed, and Jupiter closes the order to new dishes and new locks.
    let out = r.desk.print_bill(&s, &uid).await.unwrap();
    assert!(matches!(out, StaffOutcome::Updated { .. }), "{out:?}");
    assert_eq!(jpos_order(&r.sim, &uid).await["bill_printed"], true);
    let prints = jpos_admin(&r.sim, "/_sim/prints", None).await;
    assert!(prints["prints"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["kind"] == "bill"));
    let e = IpcError::from(r.desk.add_dishes(&s, &uid, vec![dish]).await.unwrap_err());
    assert_eq!(e.code, ErrorCode::OrderRefused, "{e:?}");
    assert_eq!(
        r.desk.unlock(&s, &uid).await.unwrap(),
        StaffOutcome::Unlocked
    );
    let out = r.desk.lock(&s, &uid).await.unwrap();
    assert!(
        matches!(out, StaffOutcome::LockRefused { held_by: None, .. }),
        "{out:?}"
    );

    assert_eq!(
        staff_whats(&r.desk, &s, by_pos(&uid)).await,
        [
            "lock",
            "lock.ok",
            "add_dishes",
            "add_dishes.ok",
            "add_client",
            "add_client.failed",
            "add_client",
            "add_client.ok",
            "print_bill",
            "print_bill.ok",
            "add_dishes",
            "add_dishes.failed",
            "unlock",
            "unlock.ok",
            "lock",
            "lock.failed"
        ]
    );
    let client = history_detail(&r.desk, &s, by_pos(&uid), "add_client").await;
    assert!(
        !client.contains("1234"),
        "the client code is not kept whole: {client}"
    );
}

#[tokio::test]
async fn jupiter_an_idle_session_releases_its_lock() {
    let r = rig(pos_sim::PosKind::Jupiter, "simulator").await;
    let uid = cash_desk_order(&r).await;
    let s = login(&r.desk, password(TROFIMOVA_PW)).await;
    assert!(matches!(
        r.desk.lock(&s, &uid).await.unwrap(),
        StaffOutcome::Locked { .. }
    ));
    assert_eq!(jpos_order(&r.sim, &uid).await["locked_by"], TROFIMOVA_UID);
    let mut events = r.desk.subscribe();
    r.advance(119);
    r.desk.sweep().await;
    assert_eq!(jpos_order(&r.sim, &uid).await["locked_by"], TROFIMOVA_UID);
    r.advance(1);
    r.desk.sweep().await;
    assert_eq!(jpos_order(&r.sim, &uid).await["locked_by"], Value::Null);
    let mut ended = false;
    while let Ok(ev) = events.try_recv() {
        ended |= matches!(ev, StaffEvent::SessionEnded { ref session, .. } if session == &s);
    }
    assert!(ended);
    // The release is in the order's history, attributed to her.
    let h = r
        .checkouts()
        .journal
        .staff_actions(None, Some(&uid))
        .unwrap();
    let last = h.last().unwrap();
    assert_eq!(last.action, "unlock");
    assert!(last.staff.starts_with("Трофимова В.А."), "{last:?}");
    assert!(
        last.detail.as_deref().unwrap().contains("no activity"),
        "{last:?}"
    );
}

#[tokio::test]
async fn jupiter_a_total_mismatch_is_a_problem_resend_cannot_double_it_and_its_refund_is_recorded()
{
    let r = rig(pos_sim::PosKind::Jupiter, "simulator").await;
    // Jupiter gives kiosk orders an automatic discount the kiosk's menu prices do not know.
    jpos_admin(
        &r.sim,
        "/_sim/config",
        Some(json!({"discounts": [{"name": "Киоск −10%", "percent": "10", "source": "Киоск"}]})),
    )
    .await;
    // The first send is lost, so the kiosk's own sender finds the order absent, sends it
    // again and meets Jupiter's total (the path every lost answer takes).
    r.sim.control().add_fault(Fault {
        times: Some(1),
        ..Fault::new("add_new_order", FaultKind::ConnectionReset)
    });
    let mut updates = r.engine.subscribe_orders().unwrap();
    let (order, total) = place(&r).await;
    assert_eq!(order.state, CheckoutState::Posting, "{order:?}");
    let order = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let v = updates.recv().await.unwrap();
            if v.checkout_id == order.checkout_id && v.state == CheckoutState::NeedsStaff {
                return v;
            }
        }
    })
    .await
    .expect("the checkout is handed to staff");
    let uid = order
        .pos_order_id
        .clone()
        .expect("the POS order id is kept");

    let s = login(&r.desk, password(TROFIMOVA_PW)).await;
    let v = r.desk.orders(&s).await.unwrap();
    let p = problem_row(&v, &order.checkout_id);
    assert!(
        matches!(&p.problem, Some(StaffProblem::TotalMismatch { pos_order_id, .. }) if *pos_order_id == uid),
        "{p:?}"
    );
    assert_eq!(
        p.actions,
        [
            StaffAction::Refund,
            StaffAction::MarkHandled,
            StaffAction::Lock,
            StaffAction::PrintNumber
        ]
    );

    // Sending again merges into the same Jupiter order and meets the same total: one order.
    let e = IpcError::from(r.desk.retry_send(&s, &order.checkout_id).await.unwrap_err());
    assert_eq!(e.code, ErrorCode::TotalMismatch, "{e:?}");
    let all = jpos_admin(&r.sim, "/_sim/orders", None).await;
    assert_eq!(all["orders"].as_array().unwrap().len(), 1, "{all}");

    let out = r.desk.refund(&s, &order.checkout_id).await.unwrap();
    assert!(
        matches!(out, StaffOutcome::Refunded { amount, .. } if amount == total),
        "{out:?}"
    );
    let pays = jpos_admin(&r.sim, "/_sim/payments", None).await;
    let p = &pays["payments"][0];
    assert_eq!(p["refunds"].as_array().unwrap().len(), 1, "{pays}");
    assert_eq!(p["charged"], "0.00");
    assert!(r.desk.orders(&s).await.unwrap().problems.is_empty());

    let order = by_checkout(&order.checkout_id);
    assert_eq!(
        staff_whats(&r.desk, &s, order.clone()).await,
        [
            "retry_send",
            "retry_send.failed",
            "refund",
            "mark_handled",
            "refund.ok"
        ]
    );
    let refund = history_detail(&r.desk, &s, order, "refund").await;
    assert!(refund.contains("stays open in the POS"), "{refund}");
}

#[tokio::test]
async fn live_updates_come_from_the_checkout_and_from_polling_the_pos() {
    let r = rig(pos_sim::PosKind::Procart, "simulator").await;
    let s = login(&r.desk, pin(None, ANNA_PIN)).await;
    let mut events = r.desk.subscribe();
    // The first tick polls at once; later ones are driven by hand below.
    r.desk.spawn_background(Duration::from_secs(3600));
    let changed = |events: &mut tokio::sync::broadcast::Receiver<StaffEvent>| {
        let mut n = 0;
        while let Ok(ev) = events.try_recv() {
            n += matches!(ev, StaffEvent::OrdersChanged { .. }) as u32;
        }
        n
    };
    let before = r.desk.orders(&s).await.unwrap().revision;

    // A customer's order: the checkout's own broadcast reaches the staff screens.
    let (order, _) = place(&r).await;
    let ev = tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(ev, StaffEvent::OrdersChanged { .. }), "{ev:?}");
    assert!(r.desk.orders(&s).await.unwrap().revision > before);

    // A change made in the POS itself shows at the next poll, and only a change does.
    r.desk.poll_once().await;
    changed(&mut events);
    assert!(!r.desk.poll_once().await, "nothing changed");
    assert_eq!(changed(&mut events), 0);
    let guid = order.pos_order_id.unwrap();
    r.sim
        .control()
        .order_action(&guid, pos_sim::OrderAction::Precheck)
        .unwrap();
    assert!(r.desk.poll_once().await);
    assert!(changed(&mut events) >= 1);
    let v = r.desk.orders(&s).await.unwrap();
    let row = listed(&v, &guid);
    assert_eq!(row.pos_status.as_ref().map(|s| s.as_str()), Some("bill"));
}
