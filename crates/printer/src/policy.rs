//! What the kiosk does about its printer before it takes a payment.
//!
//! The checkout asks the printer's status before charging. [`gate`] turns that answer and the
//! installer's [`PrinterPolicy`] into a [`PaymentGate`]: print as usual, print but alert staff
//! (paper running low), let the guest choose to go on without a slip, or stop taking orders.
//! Kept free of IO so the engine, the UI's view model and the tests agree on one table.

use serde::{Deserialize, Serialize};

use crate::error::PrinterError;
use crate::status::{PaperState, PrinterStatus};

/// The installer's choice for a printer that cannot print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterPolicy {
    /// Tell the guest there will be no slip and let them go on (the number stays on screen).
    ContinueWithoutSlip,
    /// Take no payment the kiosk cannot give a slip for: the kiosk goes out of service until
    /// the printer is back.
    #[default]
    OutOfService,
}

/// Why the printer cannot print (or soon will not): one enum shared with the UI and the staff
/// screens, so it lives in `kiosk-core`.
pub use kiosk_core::error::PrinterProblem;

/// The problem an error stands for.
pub fn problem_of(e: &PrinterError) -> PrinterProblem {
    match e {
        PrinterError::PaperOut => PrinterProblem::PaperOut,
        PrinterError::CoverOpen => PrinterProblem::CoverOpen,
        PrinterError::Offline => PrinterProblem::Offline,
        PrinterError::Timeout(_) => PrinterProblem::NotResponding,
        PrinterError::Unreachable { .. } => PrinterProblem::Unreachable,
        PrinterError::Hardware(_) => PrinterProblem::HardwareError,
        PrinterError::Config(_)
        | PrinterError::Interrupted { .. }
        | PrinterError::BadReply(_)
        | PrinterError::StatusUnsupported
        | PrinterError::Io(_) => PrinterProblem::Fault,
    }
}

/// What the checkout does before charging, given the printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PaymentGate {
    /// Take the payment and print the slip after it.
    Print,
    /// The same, and raise a staff alert (the roll is near its end).
    PrintAndAlert { problem: PrinterProblem },
    /// No slip is possible: tell the guest before paying and go on only if they agree. Alert
    /// staff.
    WithoutSlip { problem: PrinterProblem },
    /// No slip is possible and the settings forbid orders without one: the kiosk is out of
    /// service until the printer recovers. Alert staff.
    OutOfService { problem: PrinterProblem },
}

impl PaymentGate {
    /// Whether the kiosk may charge at all (after the guest's consent for `WithoutSlip`).
    pub fn may_take_payment(&self) -> bool {
        !matches!(self, PaymentGate::OutOfService { .. })
    }

    /// Whether a slip is printed after the payment.
    pub fn prints(&self) -> bool {
        matches!(self, PaymentGate::Print | PaymentGate::PrintAndAlert { .. })
    }

    /// Whether the guest must be told and agree before paying.
    pub fn needs_consent(&self) -> bool {
        matches!(self, PaymentGate::WithoutSlip { .. })
    }

    /// The problem staff should hear about, if any.
    pub fn staff_alert(&self) -> Option<PrinterProblem> {
        match self {
            PaymentGate::Print => None,
            PaymentGate::PrintAndAlert { problem }
            | PaymentGate::WithoutSlip { problem }
            | PaymentGate::OutOfService { problem } => Some(*problem),
        }
    }
}

/// The decision table. A printer whose connection cannot report status (a write-only device
/// file) is printed to without a check: the installer chose that set-up knowingly.
pub fn gate(policy: PrinterPolicy, status: &Result<PrinterStatus, PrinterError>) -> PaymentGate {
    let problem = match status {
        Ok(s) => match s.ready() {
            Ok(()) if s.paper == PaperState::NearEnd => {
                return PaymentGate::PrintAndAlert {
                    problem: PrinterProblem::PaperNearEnd,
                }
            }
            Ok(()) => return PaymentGate::Print,
            Err(e) => problem_of(&e),
        },
        Err(PrinterError::StatusUnsupported) => return PaymentGate::Print,
        Err(e) => problem_of(e),
    };
    match policy {
        PrinterPolicy::ContinueWithoutSlip => PaymentGate::WithoutSlip { problem },
        PrinterPolicy::OutOfService => PaymentGate::OutOfService { problem },
    }
}
