//! The [`Printer`] against the simulated network printer: every fault the simulator can play,
//! before printing (status and gate) and while printing (nothing sent to a printer that cannot
//! print; a connection dropped mid-job is an error, never a silent success).

use std::time::Duration;

use kiosk_core::cart::OrderType;
use printer::{
    PaperState, PaymentGate, Printer, PrinterError, PrinterPolicy, PrinterProblem, PrinterSettings,
    PrinterStatus,
};
use printer_sim::{Mode, Paper, SimConfig, SimServer};

use super::fixtures;

const WAIT: Duration = Duration::from_secs(5);

async fn setup(mode: Mode) -> (SimServer, Printer) {
    let sim = printer_sim::spawn(SimConfig {
        paper: Paper::Mm80,
        mode,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut s: PrinterSettings = fixtures::settings();
    s.connection = printer::Connection::Network {
        address: sim.address(),
    };
    // Short enough that the "no answer" cases stay quick, long enough for a loaded CI machine.
    s.status_timeout_ms = 400;
    (sim, Printer::new(s))
}

fn slip() -> printer::Slip {
    fixtures::slip(OrderType::EatIn)
}

/// No job reached the simulator: only status requests (which are not printed).
fn nothing_printed(sim: &SimServer) {
    let doc = sim.document();
    assert_eq!(
        doc.lines().count(),
        0,
        "printed: {:?}",
        printer_sim::to_text(&doc)
    );
    assert!(doc.cuts.is_empty());
}

#[tokio::test]
async fn a_ready_printer_prints_the_slip() {
    let (sim, p) = setup(Mode::Ready).await;
    assert_eq!(p.status().await.unwrap(), PrinterStatus::READY);
    assert_eq!(p.gate().await, PaymentGate::Print);
    p.print(&slip()).await.unwrap();
    assert!(sim.wait_for_slips(1, WAIT).await);
    let text = sim.slip_text(0).unwrap();
    assert!(text.contains("ЗАКАЗ"), "{text}");
    // CP866 has no guillemets: they print as straight quotes.
    assert!(text.contains("Бургерная \"Две котлеты\""), "{text}");
    // Status before, the job, status after: the job is exactly what render() gives.
    let received = sim.received();
    let job = p.render(&slip());
    assert!(received.windows(job.len()).any(|w| w == job.as_slice()));
    // Four requests each: status(), gate(), and the print's checks before and after.
    assert_eq!(sim.status_queries(), 16);
    sim.stop().await;
}

#[tokio::test]
async fn paper_near_its_end_still_prints() {
    let (sim, p) = setup(Mode::PaperNearEnd).await;
    let st = p.status().await.unwrap();
    assert_eq!(st.paper, PaperState::NearEnd);
    assert!(st.online);
    assert_eq!(
        p.gate().await,
        PaymentGate::PrintAndAlert {
            problem: PrinterProblem::PaperNearEnd
        }
    );
    p.print(&slip()).await.unwrap();
    assert!(sim.wait_for_slips(1, WAIT).await);
    sim.stop().await;
}

#[tokio::test]
async fn paper_out_is_reported_and_nothing_is_sent() {
    let (sim, p) = setup(Mode::PaperOut).await;
    let st = p.status().await.unwrap();
    assert_eq!(st.paper, PaperState::Out);
    assert!(!st.online);
    assert_eq!(
        p.gate().await,
        PaymentGate::OutOfService {
            problem: PrinterProblem::PaperOut
        }
    );
    let err = p.print(&slip()).await.unwrap_err();
    assert!(matches!(err, PrinterError::PaperOut), "{err:?}");
    nothing_printed(&sim);
    sim.stop().await;
}

#[tokio::test]
async fn cover_open_is_reported_and_nothing_is_sent() {
    let (sim, p) = setup(Mode::CoverOpen).await;
    let st = p.status().await.unwrap();
    assert!(st.cover_open && !st.online);
    let err = p.print(&slip()).await.unwrap_err();
    assert!(matches!(err, PrinterError::CoverOpen), "{err:?}");
    nothing_printed(&sim);
    sim.stop().await;
}

#[tokio::test]
async fn a_cutter_error_is_reported_and_nothing_is_sent() {
    let (sim, p) = setup(Mode::Error).await;
    let st = p.status().await.unwrap();
    assert_eq!(st.error, Some(printer::HardwareError::Autocutter));
    let err = p.print(&slip()).await.unwrap_err();
    assert!(
        matches!(
            err,
            PrinterError::Hardware(printer::HardwareError::Autocutter)
        ),
        "{err:?}"
    );
    nothing_printed(&sim);
    sim.stop().await;
}

#[tokio::test]
async fn a_silent_printer_times_out_and_counts_as_offline() {
    let (sim, mut p) = setup(Mode::Offline).await;
    let err = p.status().await.unwrap_err();
    assert!(matches!(err, PrinterError::Timeout(_)), "{err:?}");
    assert_eq!(
        p.gate().await,
        PaymentGate::OutOfService {
            problem: PrinterProblem::NotResponding
        }
    );
    let err = p.print(&slip()).await.unwrap_err();
    assert!(matches!(err, PrinterError::Timeout(_)), "{err:?}");
    nothing_printed(&sim);
    // The same printer under the other policy: the guest may go on without a slip.
    let mut s = p.settings().clone();
    s.policy = PrinterPolicy::ContinueWithoutSlip;
    p = Printer::new(s);
    assert_eq!(
        p.gate().await,
        PaymentGate::WithoutSlip {
            problem: PrinterProblem::NotResponding
        }
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_slow_printer_within_the_timeout_is_fine_beyond_it_is_not() {
    let (sim, p) = setup(Mode::Ready).await;
    sim.set_reply_delay(Duration::from_millis(50));
    assert_eq!(p.status().await.unwrap(), PrinterStatus::READY);
    sim.set_reply_delay(Duration::from_millis(1_500));
    let err = p.status().await.unwrap_err();
    assert!(matches!(err, PrinterError::Timeout(t) if t == Duration::from_millis(400)));
    sim.stop().await;
}

#[tokio::test]
async fn an_unreachable_printer_is_told_apart_from_a_silent_one() {
    // A port nobody listens on: bound, read back, closed.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let p = Printer::new(PrinterSettings::network(format!("127.0.0.1:{port}")));
    let err = p.status().await.unwrap_err();
    assert!(matches!(err, PrinterError::Unreachable { .. }), "{err:?}");
    assert_eq!(
        p.gate().await,
        PaymentGate::OutOfService {
            problem: PrinterProblem::Unreachable
        }
    );
    let err = p.print(&slip()).await.unwrap_err();
    assert!(matches!(err, PrinterError::Unreachable { .. }), "{err:?}");
}

#[tokio::test]
async fn a_connection_dropped_mid_job_is_an_error() {
    let (sim, p) = setup(Mode::Ready).await;
    sim.set_drop_after(Some(300));
    let err = p.print(&slip()).await.unwrap_err();
    match &err {
        PrinterError::Interrupted { sent, total, .. } => {
            // The OS may have accepted every byte before the reset arrived: only the status
            // round trip after the job could tell that they never reached the printer.
            assert!(sent <= total, "{err}");
            assert_eq!(*total, p.render(&slip()).len());
        }
        other => panic!("expected Interrupted, got {other:?}"),
    }
    assert_eq!(printer::policy::problem_of(&err), PrinterProblem::Fault);
    // The printer got the first 300 bytes and no cut: the slip is incomplete.
    assert_eq!(sim.received().len(), 300);
    assert!(sim.slips().is_empty());

    // Staff reprint once the printer is back: one complete slip, marked as a copy.
    sim.set_drop_after(None);
    sim.clear();
    let mut again = slip();
    again.reprint = true;
    p.print(&again).await.unwrap();
    assert!(sim.wait_for_slips(1, WAIT).await);
    assert!(sim.slip_text(0).unwrap().contains("КОПИЯ"));
    sim.stop().await;
}

#[tokio::test]
async fn a_printer_that_recovers_prints_again() {
    let (sim, p) = setup(Mode::PaperOut).await;
    assert!(matches!(
        p.print(&slip()).await,
        Err(PrinterError::PaperOut)
    ));
    sim.set_mode(Mode::Ready);
    p.print(&slip()).await.unwrap();
    assert!(sim.wait_for_slips(1, WAIT).await);
    assert_eq!(sim.slips().len(), 1);
    sim.stop().await;
}

#[tokio::test]
async fn print_raw_sends_the_bytes_as_given() {
    let (sim, p) = setup(Mode::Ready).await;
    let job = b"\x1b@plain text\n\x1dV\x42\x00".to_vec();
    p.print_raw(job.clone()).await.unwrap();
    assert!(sim.wait_for_slips(1, WAIT).await);
    // The slip's bytes are the status requests asked before it, then the job.
    let slip = &sim.slips()[0];
    assert!(slip.ends_with(&job), "{slip:?}");
    assert_eq!(slip.len(), job.len() + 4 * 3);
    sim.stop().await;
}
