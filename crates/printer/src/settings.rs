//! The printer's settings: how to reach it, its paper and code page, the slip's language and
//! header, and what the kiosk does when the printer cannot print.
//!
//! One serde struct, so it sits as a `[printer]` table in the kiosk's settings file. Every field
//! but the connection has a default that suits a Russian 80 mm printer on CP866.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::lang::Language;
use crate::policy::PrinterPolicy;

/// The raw TCP port of network receipt printers ("JetDirect"/"RAW 9100").
pub const DEFAULT_PORT: u16 = 9100;
/// Where Linux's usblp driver puts the first USB printer.
pub const DEFAULT_USB_PATH: &str = "/dev/usb/lp0";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Connection {
    /// A network printer: `host:port`, or `host` for port 9100.
    Network { address: String },
    /// A USB printer's device file (usblp: `/dev/usb/lp0`). usblp is bidirectional, so status
    /// queries work; set `status = false` for a printer that never answers on USB.
    Usb {
        #[serde(default = "default_usb_path")]
        path: PathBuf,
        #[serde(default = "yes")]
        status: bool,
    },
    /// A serial port (`/dev/ttyS0`, `/dev/ttyUSB0`). With `baud` the port is put in raw 8N1 mode
    /// at that speed through termios (and RTS/CTS flow control when `rtscts`); without it the
    /// file is used as it is: a port configured elsewhere (`stty`), or a plain file.
    Serial {
        path: PathBuf,
        #[serde(default)]
        baud: Option<u32>,
        #[serde(default)]
        rtscts: bool,
        #[serde(default = "yes")]
        status: bool,
    },
}

fn default_usb_path() -> PathBuf {
    PathBuf::from(DEFAULT_USB_PATH)
}

fn yes() -> bool {
    true
}

impl Connection {
    /// For messages and logs: `tcp 10.0.0.5:9100`, `usb /dev/usb/lp0`.
    pub fn describe(&self) -> String {
        match self {
            Connection::Network { address } => format!("tcp {address}"),
            Connection::Usb { path, .. } => format!("usb {}", path.display()),
            Connection::Serial { path, baud, .. } => match baud {
                Some(b) => format!("serial {} at {b} baud", path.display()),
                None => format!("serial {}", path.display()),
            },
        }
    }
}

/// Thermal paper: 58 mm rolls print 384 dots (32 columns of font A, 12 dots each), 80 mm rolls
/// 576 dots (48 columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperWidth {
    Mm58,
    #[default]
    Mm80,
}

impl PaperWidth {
    pub fn columns(self) -> usize {
        match self {
            PaperWidth::Mm58 => 32,
            PaperWidth::Mm80 => 48,
        }
    }

    pub fn dots(self) -> u32 {
        match self {
            PaperWidth::Mm58 => 384,
            PaperWidth::Mm80 => 576,
        }
    }
}

/// The printer's character table for Cyrillic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePage {
    /// DOS Cyrillic, the factory default of most printers sold in Russia.
    #[default]
    Cp866,
    /// Windows-1251.
    Wpc1251,
}

impl CodePage {
    /// The `ESC t n` table number in Epson's numbering (PC866 = 17, WPC1251 = 46). Clones
    /// number their tables differently; `PrinterSettings::code_page_table` overrides it.
    pub fn epson_table(self) -> u8 {
        match self {
            CodePage::Cp866 => 17,
            CodePage::Wpc1251 => 46,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrinterSettings {
    pub connection: Connection,
    #[serde(default)]
    pub paper: PaperWidth,
    #[serde(default)]
    pub code_page: CodePage,
    /// The `ESC t` number of `code_page` on this model, when it is not Epson's.
    #[serde(default)]
    pub code_page_table: Option<u8>,
    #[serde(default)]
    pub language: Language,
    /// The restaurant's header lines. When empty, the POS's own header is used where the POS
    /// has one (Jupiter's `print_header`); see [`crate::SlipContext::new`].
    #[serde(default)]
    pub header: Vec<String>,
    /// The order-status page for the slip's QR code; `{order_id}` (our checkout id) and
    /// `{number}` (the guest's number) are replaced. No QR code when unset.
    #[serde(default)]
    pub status_url: Option<String>,
    /// What the kiosk does when the printer cannot print before a payment.
    #[serde(default)]
    pub policy: PrinterPolicy,
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// How long one status byte may take; past it the printer counts as not responding.
    #[serde(default = "default_status_timeout_ms")]
    pub status_timeout_ms: u64,
    /// How long a write may make no progress before the job is abandoned.
    #[serde(default = "default_write_timeout_ms")]
    pub write_timeout_ms: u64,
    /// Blank lines after the last one, a margin below the text (the cut command itself already
    /// moves the last line past the cutter).
    #[serde(default = "default_feed_before_cut")]
    pub feed_before_cut: u8,
}

fn default_connect_timeout_ms() -> u64 {
    3_000
}
fn default_status_timeout_ms() -> u64 {
    1_500
}
fn default_write_timeout_ms() -> u64 {
    10_000
}
fn default_feed_before_cut() -> u8 {
    2
}

impl PrinterSettings {
    /// Defaults around a connection.
    pub fn new(connection: Connection) -> PrinterSettings {
        PrinterSettings {
            connection,
            paper: PaperWidth::default(),
            code_page: CodePage::default(),
            code_page_table: None,
            language: Language::default(),
            header: vec![],
            status_url: None,
            policy: PrinterPolicy::default(),
            connect_timeout_ms: default_connect_timeout_ms(),
            status_timeout_ms: default_status_timeout_ms(),
            write_timeout_ms: default_write_timeout_ms(),
            feed_before_cut: default_feed_before_cut(),
        }
    }

    /// A network printer at `address` (`host` or `host:port`).
    pub fn network(address: impl Into<String>) -> PrinterSettings {
        PrinterSettings::new(Connection::Network {
            address: address.into(),
        })
    }

    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }

    pub fn status_timeout(&self) -> Duration {
        Duration::from_millis(self.status_timeout_ms)
    }

    pub fn write_timeout(&self) -> Duration {
        Duration::from_millis(self.write_timeout_ms)
    }

    /// How the slip is laid out and encoded for this printer.
    pub fn format(&self) -> crate::layout::SlipFormat {
        crate::layout::SlipFormat {
            paper: self.paper,
            code_page: self.code_page,
            code_page_table: self.code_page_table.unwrap_or(self.code_page.epson_table()),
            language: self.language,
            feed_before_cut: self.feed_before_cut,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_table_gets_the_defaults() {
        let s: PrinterSettings = serde_json::from_str(r#"{"connection":{"kind":"usb"}}"#).unwrap();
        assert_eq!(
            s.connection,
            Connection::Usb {
                path: DEFAULT_USB_PATH.into(),
                status: true
            }
        );
        assert_eq!(s.paper, PaperWidth::Mm80);
        assert_eq!(s.code_page, CodePage::Cp866);
        assert_eq!(s.language, Language::Ru);
        assert_eq!(s.policy, PrinterPolicy::OutOfService);
        assert_eq!(s.format().code_page_table, 17);
    }

    #[test]
    fn every_connection_kind_reads() {
        let s: PrinterSettings = serde_json::from_str(
            r#"{"connection":{"kind":"serial","path":"/dev/ttyS0","baud":19200},
                "paper":"mm58","code_page":"wpc1251","code_page_table":73,"language":"en",
                "policy":"continue_without_slip"}"#,
        )
        .unwrap();
        assert_eq!(
            s.connection.describe(),
            "serial /dev/ttyS0 at 19200 baud".to_string()
        );
        assert_eq!(s.paper.columns(), 32);
        assert_eq!(s.format().code_page_table, 73);
        assert_eq!(s.policy, PrinterPolicy::ContinueWithoutSlip);
        let n: PrinterSettings =
            serde_json::from_str(r#"{"connection":{"kind":"network","address":"10.0.0.5"}}"#)
                .unwrap();
        assert_eq!(n.connection.describe(), "tcp 10.0.0.5");
    }
}
