//! The printer's errors, one variant per thing the kiosk (or the staff) must tell apart.
//!
//! "Cannot reach it", "it does not answer", "it says it has no paper" and "the connection broke
//! while the slip was going out" lead to different actions (check the cable, replace the roll,
//! reprint), so each is its own variant instead of one stringly I/O error.

use std::io;
use std::time::Duration;

use crate::status::HardwareError;

#[derive(Debug, thiserror::Error)]
pub enum PrinterError {
    /// The settings cannot work (an unsupported baud rate, an address that does not resolve).
    #[error("printer settings: {0}")]
    Config(String),
    /// Nothing answered the connection: the printer is off, unplugged or at another address.
    #[error("printer unreachable at {target}: {source}")]
    Unreachable {
        target: String,
        #[source]
        source: io::Error,
    },
    /// Connected, but no answer (or no progress writing) within the time allowed. An
    /// unresponsive printer is treated as offline.
    #[error("the printer did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the printer is out of paper")]
    PaperOut,
    #[error("the printer's cover is open")]
    CoverOpen,
    /// The printer says it is offline without saying why (e.g. paper being fed by the button).
    #[error("the printer is offline")]
    Offline,
    #[error("the printer reports an error: {0}")]
    Hardware(HardwareError),
    /// The connection broke while the job was being sent, or before the status round trip that
    /// confirms it: the slip is incomplete or missing. `sent` counts the bytes the connection
    /// accepted, which is not proof the printer received them.
    #[error("the connection broke while printing ({sent} of {total} bytes accepted): {source}")]
    Interrupted {
        sent: usize,
        total: usize,
        #[source]
        source: io::Error,
    },
    /// A status byte that does not have the fixed bits every ESC/POS status reply has: not an
    /// ESC/POS printer, or the stream is out of step.
    #[error("unexpected status reply {0:#04x}")]
    BadReply(u8),
    /// The connection is write-only (a device file set up without status): the kiosk cannot
    /// know whether the printer can print.
    #[error("this printer connection cannot report status")]
    StatusUnsupported,
    #[error("printer i/o: {0}")]
    Io(#[from] io::Error),
}
