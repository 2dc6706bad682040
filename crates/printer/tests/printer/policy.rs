//! The decision table: a status (or the error asking for it) and the settings' policy to what
//! the checkout does before charging.

use std::io;
use std::time::Duration;

use printer::{
    gate, HardwareError, PaperState, PaymentGate, PrinterError, PrinterPolicy, PrinterProblem,
    PrinterStatus,
};

fn status(f: impl FnOnce(&mut PrinterStatus)) -> Result<PrinterStatus, PrinterError> {
    let mut s = PrinterStatus::READY;
    f(&mut s);
    Ok(s)
}

fn cannot_print() -> Vec<(Result<PrinterStatus, PrinterError>, PrinterProblem)> {
    vec![
        (
            status(|s| s.paper = PaperState::Out),
            PrinterProblem::PaperOut,
        ),
        (status(|s| s.cover_open = true), PrinterProblem::CoverOpen),
        (status(|s| s.online = false), PrinterProblem::Offline),
        (
            status(|s| s.error = Some(HardwareError::Autocutter)),
            PrinterProblem::HardwareError,
        ),
        (
            Err(PrinterError::Timeout(Duration::from_secs(1))),
            PrinterProblem::NotResponding,
        ),
        (
            Err(PrinterError::Unreachable {
                target: "10.0.0.5:9100".into(),
                source: io::ErrorKind::ConnectionRefused.into(),
            }),
            PrinterProblem::Unreachable,
        ),
        (Err(PrinterError::BadReply(0xFF)), PrinterProblem::Fault),
        (
            Err(PrinterError::Io(io::ErrorKind::BrokenPipe.into())),
            PrinterProblem::Fault,
        ),
    ]
}

#[test]
fn a_ready_printer_prints_whatever_the_policy() {
    for p in [
        PrinterPolicy::ContinueWithoutSlip,
        PrinterPolicy::OutOfService,
    ] {
        let g = gate(p, &Ok(PrinterStatus::READY));
        assert_eq!(g, PaymentGate::Print);
        assert!(g.may_take_payment() && g.prints() && !g.needs_consent());
        assert_eq!(g.staff_alert(), None);
    }
}

#[test]
fn paper_near_its_end_prints_and_alerts_staff() {
    for p in [
        PrinterPolicy::ContinueWithoutSlip,
        PrinterPolicy::OutOfService,
    ] {
        let g = gate(p, &status(|s| s.paper = PaperState::NearEnd));
        assert_eq!(
            g,
            PaymentGate::PrintAndAlert {
                problem: PrinterProblem::PaperNearEnd
            }
        );
        assert!(g.may_take_payment() && g.prints());
        assert_eq!(g.staff_alert(), Some(PrinterProblem::PaperNearEnd));
    }
}

#[test]
fn continue_without_slip_asks_the_guest_and_alerts_staff() {
    for (s, problem) in cannot_print() {
        let g = gate(PrinterPolicy::ContinueWithoutSlip, &s);
        assert_eq!(g, PaymentGate::WithoutSlip { problem }, "{s:?}");
        assert!(g.may_take_payment() && g.needs_consent() && !g.prints());
        assert_eq!(g.staff_alert(), Some(problem));
    }
}

#[test]
fn out_of_service_takes_no_payment() {
    for (s, problem) in cannot_print() {
        let g = gate(PrinterPolicy::OutOfService, &s);
        assert_eq!(g, PaymentGate::OutOfService { problem }, "{s:?}");
        assert!(!g.may_take_payment() && !g.prints());
        assert_eq!(g.staff_alert(), Some(problem));
    }
}

#[test]
fn a_printer_that_cannot_report_status_is_printed_to() {
    let g = gate(
        PrinterPolicy::OutOfService,
        &Err(PrinterError::StatusUnsupported),
    );
    assert_eq!(g, PaymentGate::Print);
}

#[test]
fn the_gate_serialises_with_stable_keys() {
    let g = PaymentGate::WithoutSlip {
        problem: PrinterProblem::PaperOut,
    };
    assert_eq!(
        serde_json::to_string(&g).unwrap(),
        r#"{"kind":"without_slip","problem":"paper_out"}"#
    );
    assert_eq!(PrinterProblem::NotResponding.as_str(), "not_responding");
}
