//! The receipt printer in the kiosk's checkout, against the real simulators on 127.0.0.1:0: the
//! ProCart (or Jupiter) POS with its card terminal, and the ESC/POS printer simulator.
//!
//! - Before payment: every printer fault (paper out, cover open, a cutter error, silent,
//!   too slow, switched off) stops the checkout with `printer_unavailable` and the choices the
//!   settings allow, raises the staff alert, and charges nothing; the guest who agrees goes on
//!   without a slip.
//! - After payment: a slip that fails (paper out, silent, a connection dropped mid-slip) leaves
//!   the order `Posted`, is journaled, and is printed again from the staff desk.
//! - The slip itself: the order's number, lines, total, payment reference, QR code, and the
//!   restaurant's header from the POS where it has one (Jupiter's `print_header`).
//! - The `[printer]` settings: every connection kind, and every mistake named with its line.
//!
//! Waits are on conditions (the journal, the simulator's counters), never on sleeps.

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kiosk_core::cart::{Cart, OrderType};
use kiosk_core::checkout::CheckoutState;
use kiosk_core::error::{ErrorCode, IpcError, PrinterChoice, PrinterProblem};
use kiosk_core::view::{
    CheckoutEvent, CheckoutResult, OrderView, SlipStatus, StaffCredential, StaffHistoryKind,
    StaffLoginVerdict, StaffOrderRef, StaffOutcome,
};
use kiosk_core::Money;
use kiosk_engine::checkout::CheckoutOptions;
use kiosk_engine::config::{PrinterConnection, PrinterPolicy, PrinterSection};
use kiosk_engine::engine::Engine;
use kiosk_engine::journal::{NewPrint, PrintKind};
use kiosk_engine::secrets::MemorySecrets;
use kiosk_engine::staff::{
    NumberPrinter, NumberTicket, PrintResult, StaffClock, StaffDesk, StaffSettings, STAFF_FILE,
};
use kiosk_engine::KioskConfig;
use printer_sim::{Mode, SimConfig as PrinterSimConfig, SimControl, SimServer as PrinterSim};
use support::{demo_config, fast, simple_line, spawn_pos};

const PIN: &str = "4821";
const STATUS_URL: &str = "https://status.example.ru/o/{order_id}";

struct Rig {
    pos: pos_sim::SimServer,
    printer: PrinterSim,
    engine: Arc<Engine>,
    secrets: MemorySecrets,
    dir: tempfile::TempDir,
}

struct Setup {
    pos: pos_sim::PosKind,
    policy: PrinterPolicy,
    mode: Mode,
    paper_mm: u32,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            pos: pos_sim::PosKind::Procart,
            policy: PrinterPolicy::OutOfService,
            mode: Mode::Ready,
            paper_mm: 80,
        }
    }
}

fn printer_section(printer: &PrinterSim, s: &Setup) -> PrinterSection {
    let mut p = PrinterSection::tcp(printer.address());
    p.when_cannot_print = s.policy;
    p.paper_mm = s.paper_mm;
    p.status_url = Some(STATUS_URL.into());
    // A printer that takes longer than this to answer counts as not responding.
    p.status_timeout_ms = Some(400);
    p.connect_timeout_ms = Some(1000);
    p.write_timeout_ms = Some(3000);
    p
}

async fn rig_with(s: Setup) -> Rig {
    let pos = spawn_pos(s.pos).await;
    let printer = printer_sim::spawn(PrinterSimConfig {
        paper: if s.paper_mm == 58 {
            printer_sim::Paper::Mm58
        } else {
            printer_sim::Paper::Mm80
        },
        mode: s.mode,
        ..PrinterSimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (mut config, secrets) = demo_config(s.pos, &pos.url(), dir.path().to_path_buf());
    config.printer = Some(printer_section(&printer, &s));
    config.validate().unwrap();
    let engine = Engine::from_config(config, &secrets, fast()).unwrap();
    Rig {
        pos,
        printer,
        engine,
        secrets,
        dir,
    }
}

async fn rig(mode: Mode, policy: PrinterPolicy) -> Rig {
    rig_with(Setup {
        mode,
        policy,
        ..Setup::default()
    })
    .await
}

impl Rig {
    fn sim(&self) -> SimControl {
        self.printer.control()
    }

    async fn cart(&self, order_type: OrderType) -> (Cart, Money) {
        let menu = self.engine.menu_view().await.unwrap();
        let cart = Cart {
            order_type,
            lines: vec![simple_line(&menu.catalog, 2)],
        };
        let total = self
            .engine
            .price(1, cart.clone())
            .await
            .unwrap()
            .quote
            .total;
        (cart, total)
    }

    async fn pay(&self, order_type: OrderType) -> Result<CheckoutResult, IpcError> {
        self.pay_with(order_type, CheckoutOptions::default(), Arc::new(|_| {}))
            .await
    }

    async fn pay_with(
        &self,
        order_type: OrderType,
        options: CheckoutOptions,
        events: Arc<dyn Fn(CheckoutEvent) + Send + Sync>,
    ) -> Result<CheckoutResult, IpcError> {
        let (cart, total) = self.cart(order_type).await;
        self.engine
            .checkout_with(cart, total, events, options)
            .await
    }

    /// Waits until the order's slip is no longer on its way (printed, failed).
    async fn slip_settled(&self, id: &str) -> OrderView {
        let mut updates = self.engine.subscribe_orders().unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let v = self.engine.order_view(id).unwrap();
            if !matches!(v.slip, SlipStatus::Pending | SlipStatus::Printing) {
                return v;
            }
            match tokio::time::timeout_at(deadline, updates.recv()).await {
                Ok(_) => {}
                Err(_) => panic!("the slip of {id} never settled: {v:?}"),
            }
        }
    }

    fn journal(&self) -> Arc<kiosk_engine::journal::Journal> {
        self.engine.checkouts.as_ref().unwrap().journal.clone()
    }

    /// The staff desk of this kiosk, with one member logged in.
    async fn staff(&self) -> (Arc<StaffDesk>, String) {
        let mut s = StaffSettings {
            counter_tender: Some("1".into()),
            ..StaffSettings::default()
        };
        s.upsert_member(
            "anna",
            "Анна К.",
            Some(PIN),
            argon2::Params::new(256, 1, 1, None).unwrap(),
        )
        .unwrap();
        s.save(&self.dir.path().join(STAFF_FILE)).unwrap();
        let ms = Arc::new(AtomicU64::new(0));
        let t = ms.clone();
        let clock: StaffClock = Arc::new(move || Duration::from_millis(t.load(Ordering::SeqCst)));
        let desk = StaffDesk::from_engine(self.engine.clone(), &self.secrets, None)
            .unwrap()
            .with_clock(clock);
        let session = match desk
            .login(StaffCredential::Pin {
                staff_id: None,
                pin: PIN.into(),
            })
            .await
            .unwrap()
        {
            StaffLoginVerdict::Granted { session } => session.session,
            other => panic!("login refused: {other:?}"),
        };
        (Arc::new(desk), session)
    }
}

fn placed(r: Result<CheckoutResult, IpcError>) -> OrderView {
    match r {
        Ok(CheckoutResult::Placed { order }) => order,
        other => panic!("not placed: {other:?}"),
    }
}

/// The slip's big number, as the text rendering spaces out wide characters.
fn shows_number(text: &str, number: &str) -> bool {
    text.lines().any(|l| l.replace(' ', "") == number)
}

// ---------------------------------------------------------------------------------------------
// The slip of a paid order
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_paid_takeaway_order_prints_its_slip_after_it_is_placed() {
    let r = rig(Mode::Ready, PrinterPolicy::OutOfService).await;
    let order = placed(r.pay(OrderType::Takeaway).await);
    assert_eq!(order.state, CheckoutState::Posted);
    let v = r.slip_settled(&order.checkout_id).await;
    assert_eq!(v.slip, SlipStatus::Printed);

    let sim = r.sim();
    assert!(sim.wait_for_slips(1, Duration::from_secs(5)).await);
    let text = sim.slip_text(0).unwrap();
    assert!(shows_number(&text, &order.number), "{text}");
    assert!(text.contains("НОМЕР ВЫДАЧИ"), "takeaway: {text}");
    assert!(text.contains("С СОБОЙ"), "{text}");
    assert!(text.contains(&format!("{}", order.total)), "{text}");
    // The payment's reference, as the simulated terminal recorded it.
    let payments = r.pos.control().payments();
    assert_eq!(payments.len(), 1);
    let rec = r.journal().get(&order.checkout_id).unwrap();
    let receipt = rec.receipt.expect("paid by card");
    assert!(
        text.contains(&receipt.transaction_id),
        "reference {}: {text}",
        receipt.transaction_id
    );
    // The dish, in Cyrillic, back from the printer's code page.
    let dish = &rec.quote.lines[0].name;
    assert!(
        text.contains(&printer::codepage::printable(
            dish,
            printer::CodePage::Cp866
        )),
        "{dish}: {text}"
    );
    // No POS header on ProCart: the kiosk's restaurant name heads the slip.
    let name = r.engine.config.kiosk.restaurant_name.clone().unwrap();
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap().trim();
    assert_eq!(
        first,
        printer::codepage::printable(&name, printer::CodePage::Cp866)
    );
    let qr = format!("[QR https://status.example.ru/o/{}]", order.checkout_id);
    assert!(text.contains(&qr), "{text}");

    // Journal first: the attempt, then its result.
    let prints = r.journal().prints(&order.checkout_id).unwrap();
    assert_eq!(prints.len(), 1, "{prints:?}");
    assert_eq!(prints[0].kind, "slip");
    assert_eq!(prints[0].outcome, "printed");
    assert!(prints[0].finished_at.is_some());
    assert!(r.engine.printer_alert().is_none());
}

#[tokio::test]
async fn an_eat_in_order_on_58mm_paper_fits_the_narrow_roll() {
    let r = rig_with(Setup {
        paper_mm: 58,
        ..Setup::default()
    })
    .await;
    let order = placed(r.pay(OrderType::EatIn).await);
    assert_eq!(
        r.slip_settled(&order.checkout_id).await.slip,
        SlipStatus::Printed
    );
    let sim = r.sim();
    assert!(sim.wait_for_slips(1, Duration::from_secs(5)).await);
    let text = sim.slip_text(0).unwrap();
    assert!(shows_number(&text, &order.number), "{text}");
    assert!(text.contains("ЗАКАЗ") && text.contains("В ЗАЛЕ"), "{text}");
    assert!(
        !text.contains("НОМЕР ВЫДАЧИ"),
        "eat in has no pickup number"
    );
    let doc = printer_sim::interpret(&sim.slips()[0], 384);
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    for l in doc.lines() {
        assert!(
            l.columns() <= 32,
            "{:?} is wider than 58 mm paper",
            l.text()
        );
    }
}

#[tokio::test]
async fn jupiter_slips_carry_the_restaurants_own_print_header() {
    let mut s = Setup {
        pos: pos_sim::PosKind::Jupiter,
        ..Setup::default()
    };
    s.policy = PrinterPolicy::OutOfService;
    let r = rig_with(s).await;
    let order = placed(r.pay(OrderType::EatIn).await);
    assert_eq!(
        r.slip_settled(&order.checkout_id).await.slip,
        SlipStatus::Printed
    );
    let header = r
        .engine
        .pos
        .print_header()
        .expect("getTT's data.print_header");
    let sim = r.sim();
    assert!(sim.wait_for_slips(1, Duration::from_secs(5)).await);
    let text = sim.slip_text(0).unwrap();
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap().trim();
    assert_eq!(
        first,
        printer::codepage::printable(header.lines().next().unwrap(), printer::CodePage::Cp866),
        "{text}"
    );
    assert!(shows_number(&text, &order.number), "{text}");
}

// ---------------------------------------------------------------------------------------------
// Before payment: the printer cannot print
// ---------------------------------------------------------------------------------------------

/// Every way a printer fails before a payment, as the simulator plays it, and what the kiosk
/// calls it.
fn faults() -> Vec<(&'static str, Mode, u64, PrinterProblem)> {
    vec![
        ("paper out", Mode::PaperOut, 0, PrinterProblem::PaperOut),
        ("cover open", Mode::CoverOpen, 0, PrinterProblem::CoverOpen),
        (
            "cutter error",
            Mode::Error,
            0,
            PrinterProblem::HardwareError,
        ),
        (
            "offline (silent)",
            Mode::Offline,
            0,
            PrinterProblem::NotResponding,
        ),
        // Answers, but slower than the 400 ms the settings allow.
        ("slow", Mode::Ready, 1500, PrinterProblem::NotResponding),
    ]
}

#[tokio::test]
async fn every_fault_before_payment_stops_the_checkout_and_charges_nothing() {
    for (what, mode, delay_ms, problem) in faults() {
        let r = rig(Mode::Ready, PrinterPolicy::OutOfService).await;
        r.sim().set_mode(mode);
        r.sim().set_reply_delay(Duration::from_millis(delay_ms));
        let e = r.pay(OrderType::Takeaway).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::PrinterUnavailable, "{what}: {e:?}");
        let notice = e.printer.clone().unwrap_or_else(|| panic!("{what}: {e:?}"));
        assert_eq!(notice.problem, problem, "{what}");
        assert_eq!(
            notice.choices,
            [PrinterChoice::Cancel],
            "{what}: out of service"
        );
        assert!(!notice.may_continue());
        // Nothing charged, nothing ordered, no checkout started.
        assert!(r.pos.control().payments().is_empty(), "{what}");
        assert!(r.pos.control().orders().is_empty(), "{what}");
        assert!(r.journal().recent(10).unwrap().is_empty(), "{what}");
        // The staff alert, journaled.
        let alert = r.engine.printer_alert().unwrap_or_else(|| panic!("{what}"));
        assert_eq!(alert.problem, problem, "{what}");
        let events = r.journal().recent_prints(10).unwrap();
        assert!(
            events
                .iter()
                .any(|p| p.outcome == "problem" && p.problem.as_deref() == Some(problem.as_str())),
            "{what}: {events:?}"
        );
        assert!(
            events.iter().any(|p| p.outcome == "refused"),
            "{what}: {events:?}"
        );
        // Nothing was printed.
        assert!(r.sim().slips().is_empty(), "{what}");
    }
}

#[tokio::test]
async fn a_printer_that_is_switched_off_is_unreachable() {
    let r = rig(Mode::Ready, PrinterPolicy::OutOfService).await;
    let Rig {
        printer,
        engine,
        pos,
        ..
    } = r;
    printer.stop().await;
    let menu = engine.menu_view().await.unwrap();
    let cart = Cart {
        order_type: OrderType::EatIn,
        lines: vec![simple_line(&menu.catalog, 2)],
    };
    let total = engine.price(1, cart.clone()).await.unwrap().quote.total;
    let e = engine
        .checkout(cart, total, Arc::new(|_| {}))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::PrinterUnavailable);
    assert_eq!(e.printer.unwrap().problem, PrinterProblem::Unreachable);
    assert!(pos.control().payments().is_empty());
}

#[tokio::test]
async fn the_guest_may_go_on_without_a_slip_when_the_settings_allow_it() {
    let r = rig(Mode::PaperOut, PrinterPolicy::ContinueWithoutSlip).await;
    let e = r.pay(OrderType::Takeaway).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::PrinterUnavailable);
    let notice = e.printer.unwrap();
    assert_eq!(notice.problem, PrinterProblem::PaperOut);
    assert_eq!(
        notice.choices,
        [PrinterChoice::ContinueWithoutSlip, PrinterChoice::Cancel]
    );
    assert!(r.pos.control().payments().is_empty(), "asked before paying");

    let order = placed(
        r.pay_with(
            OrderType::Takeaway,
            CheckoutOptions { without_slip: true },
            Arc::new(|_| {}),
        )
        .await,
    );
    assert_eq!(order.state, CheckoutState::Posted);
    assert_eq!(order.slip, SlipStatus::Skipped);
    assert_eq!(r.pos.control().payments().len(), 1);
    assert_eq!(r.pos.control().orders().len(), 1);
    // The choice is in the order's journal; nothing was sent to the printer.
    let prints = r.journal().prints(&order.checkout_id).unwrap();
    assert_eq!(prints.len(), 1, "{prints:?}");
    assert_eq!(prints[0].outcome, "skipped");
    assert_eq!(prints[0].problem.as_deref(), Some("paper_out"));
    assert!(r.sim().slips().is_empty());
    assert_eq!(
        r.engine.printer_alert().unwrap().problem,
        PrinterProblem::PaperOut
    );
}

#[tokio::test]
async fn consent_is_no_way_around_an_out_of_service_policy() {
    let r = rig(Mode::CoverOpen, PrinterPolicy::OutOfService).await;
    let e = r
        .pay_with(
            OrderType::EatIn,
            CheckoutOptions { without_slip: true },
            Arc::new(|_| {}),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::PrinterUnavailable);
    assert!(r.pos.control().payments().is_empty());
}

#[tokio::test]
async fn a_guest_who_agreed_still_gets_a_slip_if_the_printer_recovered_meanwhile() {
    let r = rig(Mode::PaperOut, PrinterPolicy::ContinueWithoutSlip).await;
    r.pay(OrderType::EatIn).await.unwrap_err();
    // Staff change the roll while the guest reads the question; the alert clears.
    r.sim().set_mode(Mode::Ready);
    let order = placed(
        r.pay_with(
            OrderType::EatIn,
            CheckoutOptions { without_slip: true },
            Arc::new(|_| {}),
        )
        .await,
    );
    assert_eq!(
        r.slip_settled(&order.checkout_id).await.slip,
        SlipStatus::Printed
    );
    assert!(r.engine.printer_alert().is_none());
    let events = r.journal().recent_prints(10).unwrap();
    assert!(
        events.iter().any(|p| p.outcome == "recovered"),
        "{events:?}"
    );
}

#[tokio::test]
async fn paper_near_its_end_prints_and_tells_staff() {
    let r = rig(Mode::PaperNearEnd, PrinterPolicy::OutOfService).await;
    let order = placed(r.pay(OrderType::EatIn).await);
    assert_eq!(
        r.slip_settled(&order.checkout_id).await.slip,
        SlipStatus::Printed
    );
    assert_eq!(
        r.engine.printer_alert().unwrap().problem,
        PrinterProblem::PaperNearEnd,
        "a printed slip does not clear the near-end alert"
    );
}

// ---------------------------------------------------------------------------------------------
// After payment: the slip fails, the order stands, staff print it again
// ---------------------------------------------------------------------------------------------

/// Pays while the printer is ready, and breaks the printer the moment the payment starts (after
/// the check, before the slip).
async fn pay_then_break(r: &Rig, mode: Mode, drop_after: Option<usize>) -> OrderView {
    let sim = r.sim();
    let broke = Arc::new(Mutex::new(false));
    let flag = broke.clone();
    let events: Arc<dyn Fn(CheckoutEvent) + Send + Sync> = Arc::new(move |e| {
        if let CheckoutEvent::State {
            state: CheckoutState::PaymentStarted,
        } = e
        {
            sim.set_mode(mode);
            sim.set_drop_after(drop_after);
            *flag.lock().unwrap() = true;
        }
    });
    let order = placed(
        r.pay_with(OrderType::Takeaway, CheckoutOptions::default(), events)
            .await,
    );
    assert!(*broke.lock().unwrap());
    order
}

#[tokio::test]
async fn a_slip_that_fails_after_payment_leaves_the_order_placed_and_staff_reprint_it() {
    for (what, mode, drop_after, problem) in [
        ("paper out", Mode::PaperOut, None, PrinterProblem::PaperOut),
        ("silent", Mode::Offline, None, PrinterProblem::NotResponding),
        // The connection resets a few bytes into the slip.
        ("dropped", Mode::Ready, Some(40), PrinterProblem::Fault),
    ] {
        let r = rig(Mode::Ready, PrinterPolicy::OutOfService).await;
        let order = pay_then_break(&r, mode, drop_after).await;
        assert_eq!(order.state, CheckoutState::Posted, "{what}");
        let v = r.slip_settled(&order.checkout_id).await;
        assert_eq!(v.slip, SlipStatus::Failed, "{what}");
        // The order is untouched: placed, paid once, in the POS once.
        let rec = r.journal().get(&order.checkout_id).unwrap();
        assert!(
            matches!(rec.state, CheckoutState::Posted | CheckoutState::Tracking),
            "{what}: {:?}",
            rec.state
        );
        assert_eq!(r.pos.control().orders().len(), 1, "{what}");
        assert_eq!(r.pos.control().payments().len(), 1, "{what}");
        let prints = r.journal().prints(&order.checkout_id).unwrap();
        assert_eq!(prints.len(), 1, "{what}: {prints:?}");
        assert_eq!(prints[0].outcome, "failed", "{what}");
        assert_eq!(
            prints[0].problem.as_deref(),
            Some(problem.as_str()),
            "{what}: {prints:?}"
        );
        assert_eq!(
            r.engine.printer_alert().map(|a| a.problem),
            Some(problem),
            "{what}"
        );

        // The printer is fixed; staff print the slip again from the order.
        r.sim().set_mode(Mode::Ready);
        r.sim().set_drop_after(None);
        r.sim().clear();
        let (desk, session) = r.staff().await;
        let reference = StaffOrderRef::Checkout {
            checkout_id: order.checkout_id.clone(),
        };
        let out = desk
            .print_number(&session, reference.clone())
            .await
            .unwrap();
        assert_eq!(out, StaffOutcome::Printed, "{what}");
        assert!(r.sim().wait_for_slips(1, Duration::from_secs(5)).await);
        let text = r.sim().slip_text(0).unwrap();
        assert!(text.contains("*** КОПИЯ ***"), "{what}: {text}");
        assert!(shows_number(&text, &order.number), "{what}: {text}");
        assert_eq!(
            r.engine.order_view(&order.checkout_id).unwrap().slip,
            SlipStatus::Printed,
            "{what}"
        );
        assert!(r.engine.printer_alert().is_none(), "{what}");
        // The order's history on the staff screen has both prints and who asked.
        let detail = desk.order(&session, reference).await.unwrap();
        let printed: Vec<(String, Option<String>)> = detail
            .history
            .iter()
            .filter(|h| h.kind == StaffHistoryKind::Printer)
            .map(|h| (h.what.clone(), h.staff.clone()))
            .collect();
        assert_eq!(
            printed,
            [
                ("slip.failed".to_string(), None),
                ("reprint.printed".to_string(), Some("Анна К.".to_string()))
            ],
            "{what}"
        );
    }
}

#[tokio::test]
async fn staff_print_a_number_slip_for_an_order_the_kiosk_did_not_place() {
    let r = rig(Mode::Ready, PrinterPolicy::OutOfService).await;
    let (desk, session) = r.staff().await;
    assert!(desk.orders(&session).await.unwrap().printer.is_none());
    let capabilities = desk.session(&session).await.unwrap().capabilities;
    assert!(
        capabilities.print_number,
        "the kiosk's printer is the desk's"
    );
    // What the desk hands the printer for an order opened at the cash desk: no checkout.
    let printing = r.engine.printing.clone().unwrap();
    let out = printing
        .print_number(&NumberTicket {
            number: "Стол 5".into(),
            restaurant: None,
            order_type: Some(OrderType::EatIn),
            total: Money::parse("450.00").unwrap(),
            at: "2026-03-01T12:00:00Z".into(),
            checkout_id: None,
            staff: Some("Анна К.".into()),
        })
        .await
        .unwrap();
    assert_eq!(out, PrintResult::Printed);
    assert!(r.sim().wait_for_slips(1, Duration::from_secs(5)).await);
    let text = r.sim().slip_text(0).unwrap();
    assert!(shows_number(&text, "Стол5"), "{text}");
    assert!(text.contains("В ЗАЛЕ"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("ИТОГО") && l.ends_with("450.00")),
        "{text}"
    );
    let events = r.journal().recent_prints(5).unwrap();
    assert_eq!(events[0].kind, "number");
    assert_eq!(events[0].outcome, "printed");
    assert_eq!(events[0].staff.as_deref(), Some("Анна К."));
}

#[tokio::test]
async fn the_staff_list_carries_the_printer_alert() {
    let r = rig(Mode::Ready, PrinterPolicy::OutOfService).await;
    let (desk, session) = r.staff().await;
    r.sim().set_mode(Mode::CoverOpen);
    r.pay(OrderType::EatIn).await.unwrap_err();
    let alert = desk.orders(&session).await.unwrap().printer.unwrap();
    assert_eq!(alert.problem, PrinterProblem::CoverOpen);
    // Closed again: the next check clears it.
    r.sim().set_mode(Mode::Ready);
    let printing = r.engine.printing.clone().unwrap();
    printing.check().await;
    assert!(desk.orders(&session).await.unwrap().printer.is_none());
}

#[tokio::test]
async fn a_slip_interrupted_by_a_restart_is_marked_failed_not_printed_late() {
    let r = rig(Mode::Ready, PrinterPolicy::OutOfService).await;
    let order = placed(r.pay(OrderType::EatIn).await);
    r.slip_settled(&order.checkout_id).await;
    // As a crash mid-slip leaves it: the attempt journaled, no result.
    r.journal()
        .record_print(
            &NewPrint {
                checkout_id: Some(&order.checkout_id),
                kind: PrintKind::Reprint,
                outcome: "started",
                problem: None,
                staff: Some("Анна К."),
                detail: None,
            },
            Some(SlipStatus::Printing),
        )
        .unwrap();
    let before = r.sim().slips().len();
    let mut config = r.engine.config.clone();
    config.kiosk.data_dir = Some(r.dir.path().to_path_buf());
    let again = Engine::from_config(config, &r.secrets, fast()).unwrap();
    again.start_background();
    let v = again.order_view(&order.checkout_id).unwrap();
    assert_eq!(v.slip, SlipStatus::Failed);
    let prints = again
        .checkouts
        .as_ref()
        .unwrap()
        .journal
        .prints(&order.checkout_id)
        .unwrap();
    assert_eq!(prints.last().unwrap().outcome, "failed", "{prints:?}");
    assert_eq!(r.sim().slips().len(), before, "nothing printed late");
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

const GOOD: &str = r#"
[kiosk]
id = "kiosk-1"

[pos]
kind = "procart"
url = "http://10.0.0.5:11111"

[payment]
provider = "counter"
tender = "1"

[printer]
connection = "tcp"
address = "192.168.1.50:9100"
"#;

#[test]
fn every_printer_connection_reads_from_the_settings() {
    let c = KioskConfig::parse(GOOD).unwrap();
    let p = c.printer.as_ref().unwrap();
    let s = p.settings().unwrap();
    assert_eq!(
        s.connection,
        printer::Connection::Network {
            address: "192.168.1.50:9100".into()
        }
    );
    assert_eq!(s.paper, printer::PaperWidth::Mm80);
    assert_eq!(s.policy, PrinterPolicy::OutOfService);

    let usb = GOOD.replace(
        "connection = \"tcp\"\naddress = \"192.168.1.50:9100\"",
        "connection = \"usb\"\npaper_mm = 58\ncode_page = \"wpc1251\"\nwhen_cannot_print = \"continue_without_slip\"",
    );
    let s = KioskConfig::parse(&usb)
        .unwrap()
        .printer
        .unwrap()
        .settings()
        .unwrap();
    assert_eq!(
        s.connection,
        printer::Connection::Usb {
            path: "/dev/usb/lp0".into(),
            status: true
        }
    );
    assert_eq!(s.paper, printer::PaperWidth::Mm58);
    assert_eq!(s.code_page, printer::CodePage::Wpc1251);
    assert_eq!(s.policy, PrinterPolicy::ContinueWithoutSlip);

    let serial = GOOD.replace(
        "connection = \"tcp\"\naddress = \"192.168.1.50:9100\"",
        "connection = \"serial\"\npath = \"/dev/ttyUSB0\"\nbaud = 19200\nrtscts = true",
    );
    let s = KioskConfig::parse(&serial)
        .unwrap()
        .printer
        .unwrap()
        .settings()
        .unwrap();
    assert_eq!(s.connection.describe(), "serial /dev/ttyUSB0 at 19200 baud");

    let none = GOOD.replace(
        "connection = \"tcp\"\naddress = \"192.168.1.50:9100\"",
        "connection = \"none\"",
    );
    let c = KioskConfig::parse(&none).unwrap();
    assert_eq!(
        c.printer.as_ref().unwrap().connection,
        PrinterConnection::None
    );
    assert!(c.printer.unwrap().settings().is_none());

    // What the wizard writes reads back unchanged.
    let c = KioskConfig::parse(GOOD).unwrap();
    assert_eq!(KioskConfig::parse(&c.to_toml()).unwrap(), c);
}

#[test]
fn every_printer_settings_mistake_names_its_line_and_what_is_allowed() {
    let tcp = "connection = \"tcp\"\naddress = \"192.168.1.50:9100\"";
    let cases: &[(&str, (usize, usize), &[&str])] = &[
        (
            "connection = \"tcp\"",
            // A missing key is shown at its table.
            (13, 2),
            &["printer.address", "required", "host:port"],
        ),
        (
            "connection = \"tcp\"\naddress = \"http://printer:9100\"",
            (15, 1),
            &["printer.address", "host:port"],
        ),
        (
            "connection = \"tcp\"\naddress = \"printer:99999\"",
            (15, 1),
            &["printer.address"],
        ),
        (
            "connection = \"serial\"",
            (13, 2),
            &["printer.path", "required", "/dev/ttyUSB0"],
        ),
        (
            "connection = \"serial\"\npath = \"/dev/ttyS0\"\nbaud = 12345",
            (16, 1),
            &["printer.baud", "12345", "9600", "115200"],
        ),
        (
            "connection = \"usb\"\npath = \"lp0\"",
            (15, 1),
            &["printer.path", "absolute"],
        ),
        (
            "connection = \"usb\"\naddress = \"10.0.0.1\"",
            (15, 1),
            &["printer.address", "only used with connection = tcp"],
        ),
        (
            "connection = \"tcp\"\naddress = \"10.0.0.9\"\npaper_mm = 76",
            (16, 1),
            &["printer.paper_mm", "58 or 80"],
        ),
        (
            "connection = \"tcp\"\naddress = \"10.0.0.9\"\nstatus_timeout_ms = 5",
            (16, 1),
            &["printer.status_timeout_ms", "100 to 10000"],
        ),
        (
            "connection = \"tcp\"\naddress = \"10.0.0.9\"\nstatus_url = \"status.example.ru\"",
            (16, 1),
            &["printer.status_url", "http://"],
        ),
        (
            "connection = \"tcp\"\naddress = \"10.0.0.9\"\nwhen_cannot_print = \"shrug\"",
            (16, 21),
            &["continue_without_slip", "out_of_service"],
        ),
        (
            "connection = \"bluetooth\"",
            (14, 14),
            &["none", "tcp", "usb", "serial"],
        ),
        (
            "connection = \"tcp\"\naddress = \"10.0.0.9\"\ncodepage = \"cp866\"",
            (16, 1),
            &["codepage", "code_page"],
        ),
    ];
    let mut wrong = Vec::new();
    for (to, (line, col), needles) in cases {
        let text = GOOD.replacen(tcp, to, 1);
        let shown = match KioskConfig::parse(&text) {
            Ok(_) => format!("accepted: {to}"),
            Err(e) => e.to_string(),
        };
        let ok = shown.starts_with(&format!("line {line}, column {col}: "))
            && needles.iter().all(|n| shown.contains(n));
        if !ok {
            wrong.push(format!("{to:?} => {shown:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    for good in [
        "connection = \"tcp\"\naddress = \"printer.local\"",
        "connection = \"tcp\"\naddress = \"10.0.0.9\"",
        "connection = \"tcp\"\naddress = \"[fe80::1]:9100\"",
        "connection = \"usb\"\nstatus = false",
    ] {
        KioskConfig::parse(&GOOD.replacen(tcp, good, 1)).unwrap_or_else(|e| panic!("{good}: {e}"));
    }
}

#[tokio::test]
async fn the_connection_test_reports_the_printer_and_what_to_do() {
    use kiosk_core::view::CheckStatus;
    let r = rig(Mode::Ready, PrinterPolicy::OutOfService).await;
    let settings = || r.engine.printing.as_ref().unwrap().settings().cloned();
    let line = kiosk_engine::printing::check_line(settings())
        .await
        .unwrap();
    assert_eq!(line.status, CheckStatus::Ok, "{line:?}");
    assert!(line.detail.contains(&r.printer.address()), "{line:?}");

    r.sim().set_mode(Mode::PaperOut);
    let line = kiosk_engine::printing::check_line(settings())
        .await
        .unwrap();
    assert_eq!(line.status, CheckStatus::Fail, "{line:?}");
    assert!(line.detail.contains("paper_out"), "{line:?}");
    assert!(line.fix.unwrap().contains("paper roll"));

    let mut lenient = settings().unwrap();
    lenient.policy = PrinterPolicy::ContinueWithoutSlip;
    let line = kiosk_engine::printing::check_line(Some(lenient))
        .await
        .unwrap();
    assert_eq!(line.status, CheckStatus::Warn, "{line:?}");

    r.sim().set_mode(Mode::PaperNearEnd);
    let line = kiosk_engine::printing::check_line(settings())
        .await
        .unwrap();
    assert_eq!(line.status, CheckStatus::Warn, "{line:?}");

    assert!(kiosk_engine::printing::check_line(None).await.is_none());
    // The service screen's diagnostics carry the same line.
    let view = kiosk_engine::diagnostics::collect(&r.engine, &r.secrets).await;
    assert!(
        view.checks.iter().any(|c| c.id == "printer"),
        "{:?}",
        view.checks
    );
}
