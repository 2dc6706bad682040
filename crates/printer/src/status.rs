//! ESC/POS real-time status: the four `DLE EOT n` replies and what they mean together.
//!
//! Each request is answered with one byte whose bits 0 and 7 are 0 and bits 1 and 4 are 1 (that
//! fixed pattern tells a status byte from anything else on the line):
//!
//! | n | meaning of the bits used here |
//! |---|---|
//! | 1 printer | bit 3: offline |
//! | 2 offline cause | bit 2: cover open · bit 5: stopped at paper end · bit 6: error |
//! | 3 error cause | bit 2: mechanical · bit 3: autocutter · bit 5: unrecoverable · bit 6: auto-recoverable |
//! | 4 paper sensors | bits 2+3: roll near its end · bits 5+6: paper out |
//!
//! The kiosk asks all four before a payment: "offline" alone does not say whether a guest can be
//! helped by staff in a minute (cover open) or not (cutter jammed).

use serde::{Deserialize, Serialize};

use crate::error::PrinterError;

/// The four requests, in the order they are asked.
pub const QUERIES: [u8; 4] = [1, 2, 3, 4];

/// The four reply bytes, as received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawStatus {
    pub printer: u8,
    pub offline_cause: u8,
    pub error_cause: u8,
    pub paper: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperState {
    Ok,
    /// The roll is nearly used up: print, but staff should replace it soon.
    NearEnd,
    Out,
}

/// What `DLE EOT 3` says went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum HardwareError {
    #[error("mechanical error")]
    Mechanical,
    #[error("autocutter error")]
    Autocutter,
    #[error("unrecoverable error")]
    Unrecoverable,
    #[error("auto-recoverable error (e.g. head overheated)")]
    AutoRecoverable,
    /// `DLE EOT 2` flagged an error but `DLE EOT 3` named none.
    #[error("unspecified error")]
    Unspecified,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrinterStatus {
    pub online: bool,
    pub paper: PaperState,
    pub cover_open: bool,
    pub error: Option<HardwareError>,
}

impl PrinterStatus {
    /// A printer with nothing to report.
    pub const READY: PrinterStatus = PrinterStatus {
        online: true,
        paper: PaperState::Ok,
        cover_open: false,
        error: None,
    };

    /// Whether a slip can be printed now, and if not the most useful reason: the one staff can
    /// act on (paper, cover) before the generic ones.
    pub fn ready(&self) -> Result<(), PrinterError> {
        if self.paper == PaperState::Out {
            return Err(PrinterError::PaperOut);
        }
        if self.cover_open {
            return Err(PrinterError::CoverOpen);
        }
        if let Some(e) = self.error {
            return Err(PrinterError::Hardware(e));
        }
        if !self.online {
            return Err(PrinterError::Offline);
        }
        Ok(())
    }
}

fn has(b: u8, bit: u8) -> bool {
    b & (1 << bit) != 0
}

/// Checks the fixed bits of one reply byte.
pub fn check_reply(b: u8) -> Result<u8, PrinterError> {
    if b & 0b1001_0011 == 0b0001_0010 {
        Ok(b)
    } else {
        Err(PrinterError::BadReply(b))
    }
}

impl RawStatus {
    pub fn parse(self) -> Result<PrinterStatus, PrinterError> {
        let printer = check_reply(self.printer)?;
        let offline = check_reply(self.offline_cause)?;
        let err = check_reply(self.error_cause)?;
        let paper = check_reply(self.paper)?;
        let paper_state = if (has(paper, 5) && has(paper, 6)) || has(offline, 5) {
            PaperState::Out
        } else if has(paper, 2) && has(paper, 3) {
            PaperState::NearEnd
        } else {
            PaperState::Ok
        };
        let error = if has(err, 2) {
            Some(HardwareError::Mechanical)
        } else if has(err, 3) {
            Some(HardwareError::Autocutter)
        } else if has(err, 5) {
            Some(HardwareError::Unrecoverable)
        } else if has(err, 6) {
            Some(HardwareError::AutoRecoverable)
        } else if has(offline, 6) {
            Some(HardwareError::Unspecified)
        } else {
            None
        };
        Ok(PrinterStatus {
            online: !has(printer, 3),
            paper: paper_state,
            cover_open: has(offline, 2),
            error,
        })
    }
}
