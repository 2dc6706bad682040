//! The kiosk's receipt printer: the guest's order slip and the printer health that guards
//! payments.
//!
//! - [`Slip`] is the slip as data, built from the kiosk's own types with [`Slip::from_order`];
//!   [`layout::render`] lays it out as ESC/POS for 58 or 80 mm paper, in Russian or English,
//!   with Cyrillic in the printer's code page ([`codepage`]).
//! - [`Printer`] talks to an ESC/POS printer over TCP (port 9100), a USB printer device file or
//!   a serial port ([`Connection`]): [`Printer::status`] (`DLE EOT 1..4`, [`PrinterStatus`]),
//!   [`Printer::print`], [`Printer::print_raw`].
//! - [`gate`] turns a status and the installer's [`PrinterPolicy`] into what the checkout does
//!   before charging ([`PaymentGate`]): the kiosk never takes money for a slip it cannot print
//!   without saying so first.
//!
//! The `printer-sim` crate plays the printer for tests and the demo.

pub mod codepage;
pub mod error;
pub mod escpos;
pub mod lang;
pub mod layout;
pub mod policy;
mod printer;
pub mod settings;
pub mod slip;
pub mod status;
mod transport;

pub use error::PrinterError;
pub use lang::Language;
pub use layout::SlipFormat;
pub use policy::{gate, problem_of, PaymentGate, PrinterPolicy, PrinterProblem};
pub use printer::Printer;
pub use settings::{CodePage, Connection, PaperWidth, PrinterSettings};
pub use slip::{
    NumberSlip, Slip, SlipAdjustment, SlipContext, SlipLine, SlipModifier, SlipPayment,
};
pub use status::{HardwareError, PaperState, PrinterStatus, RawStatus};
