//! The printer as the engine uses it: ask its status, print a slip, print raw bytes.
//!
//! Each operation opens its own connection and closes it: network receipt printers often serve
//! one connection at a time and drop idle ones, so a long-lived connection would fail at the
//! worst moment. Operations are serialised by a lock for the same reason.
//!
//! A print is checked on both sides: the status is asked before anything is sent (a slip sent
//! to a printer without paper is lost), and again after the job (a status round trip is the only
//! proof that the connection survived until the last byte, and it catches paper that ran out
//! mid-slip).

use std::io;
use std::sync::Arc;

use tokio::sync::Mutex;

use crate::error::PrinterError;
use crate::escpos::status_request;
use crate::layout;
use crate::policy::{gate, PaymentGate};
use crate::settings::PrinterSettings;
use crate::slip::Slip;
use crate::status::{PaperState, PrinterStatus, RawStatus, QUERIES};
use crate::transport::{self, Link};

/// Bytes per write: small enough that a broken connection is noticed within the job.
const CHUNK: usize = 512;

pub struct Printer {
    settings: Arc<PrinterSettings>,
    busy: Mutex<()>,
}

impl Printer {
    pub fn new(settings: PrinterSettings) -> Printer {
        Printer {
            settings: Arc::new(settings),
            busy: Mutex::new(()),
        }
    }

    pub fn settings(&self) -> &PrinterSettings {
        &self.settings
    }

    /// The printer's real-time status. No answer within `status_timeout_ms` is
    /// [`PrinterError::Timeout`], which [`gate`] treats as offline.
    pub async fn status(&self) -> Result<PrinterStatus, PrinterError> {
        let _one = self.busy.lock().await;
        let s = self.settings.clone();
        let r = blocking(move || status_blocking(&s)).await;
        if let Err(e) = &r {
            tracing::warn!(printer = %self.settings.connection.describe(), error = %e, "printer status");
        }
        r
    }

    /// What the checkout should do before charging: the status through the settings' policy.
    pub async fn gate(&self) -> PaymentGate {
        let status = self.status().await;
        gate(self.settings.policy, &status)
    }

    /// The slip's bytes for this printer (paper, code page, language).
    pub fn render(&self, slip: &Slip) -> Vec<u8> {
        layout::render(slip, &self.settings.format())
    }

    /// Prints the slip; see [`Printer::print_raw`].
    pub async fn print(&self, slip: &Slip) -> Result<(), PrinterError> {
        self.print_raw(self.render(slip)).await
    }

    /// Sends a job: status first (nothing is sent to a printer that cannot print), the bytes,
    /// then a status round trip that proves they all arrived.
    pub async fn print_raw(&self, job: Vec<u8>) -> Result<(), PrinterError> {
        let _one = self.busy.lock().await;
        let s = self.settings.clone();
        let r = blocking(move || print_blocking(&s, &job)).await;
        match &r {
            Ok(()) => {
                tracing::info!(printer = %self.settings.connection.describe(), "slip printed")
            }
            Err(e) => {
                tracing::warn!(printer = %self.settings.connection.describe(), error = %e, "print failed")
            }
        }
        r
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, PrinterError> + Send + 'static,
) -> Result<T, PrinterError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| PrinterError::Io(io::Error::other(e)))?
}

fn status_blocking(s: &PrinterSettings) -> Result<PrinterStatus, PrinterError> {
    let mut link = transport::open(s)?;
    query(link.as_mut(), s)
}

/// Asks the four status bytes in turn.
fn query(link: &mut dyn Link, s: &PrinterSettings) -> Result<PrinterStatus, PrinterError> {
    if !link.answers_status() {
        return Err(PrinterError::StatusUnsupported);
    }
    let timeout = s.status_timeout();
    let mut reply = [0u8; 4];
    for (slot, n) in reply.iter_mut().zip(QUERIES) {
        link.send(&status_request(n), s.write_timeout())?;
        *slot = link
            .recv_byte(timeout)?
            .ok_or(PrinterError::Timeout(timeout))?;
    }
    RawStatus {
        printer: reply[0],
        offline_cause: reply[1],
        error_cause: reply[2],
        paper: reply[3],
    }
    .parse()
}

fn print_blocking(s: &PrinterSettings, job: &[u8]) -> Result<(), PrinterError> {
    let mut link = transport::open(s)?;
    let checked = match query(link.as_mut(), s) {
        Ok(status) => {
            status.ready()?;
            true
        }
        Err(PrinterError::StatusUnsupported) => false,
        Err(e) => return Err(e),
    };
    let total = job.len();
    let mut sent = 0;
    for chunk in job.chunks(CHUNK) {
        link.send(chunk, s.write_timeout()).map_err(|e| {
            if e.kind() == io::ErrorKind::TimedOut {
                PrinterError::Timeout(s.write_timeout())
            } else {
                PrinterError::Interrupted {
                    sent,
                    total,
                    source: e,
                }
            }
        })?;
        sent += chunk.len();
    }
    if !checked {
        return Ok(());
    }
    let after = query(link.as_mut(), s).map_err(|e| match e {
        PrinterError::Io(source) => PrinterError::Interrupted {
            sent,
            total,
            source,
        },
        other => other,
    })?;
    // The paper or the cover may have given out while the slip went through.
    if after.paper == PaperState::Out {
        return Err(PrinterError::PaperOut);
    }
    after.ready()
}
