//! The kiosk's settings: a TOML file of non-secret values.
//!
//! Secrets (the POS token, payment keys) are never here: the file names the keyring entry that
//! holds each one. Unknown keys are errors, so a typo is reported with its line instead of being
//! silently ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kiosk_core::cart::OrderType;
pub use kiosk_core::view::AppMode;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskConfig {
    pub kiosk: KioskSection,
    pub pos: PosSection,
    pub payment: PaymentSection,
    #[serde(default)]
    pub order_types: OrderTypes,
    #[serde(default)]
    pub menu: MenuSection,
    /// ProCart push notifications; without this section order status is polled only.
    pub callbacks: Option<CallbackSection>,
    /// The guest's slip printer; without this section the kiosk prints nothing.
    #[serde(default)]
    pub printer: Option<PrinterSection>,
}

/// `[printer]`: the receipt printer that prints the guest's slip (ESC/POS, 58 or 80 mm).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterSection {
    /// `none`, `tcp` (a network printer, port 9100), `usb` (a USB printer's device file) or
    /// `serial`.
    pub connection: PrinterConnection,
    /// tcp: `host` or `host:port` (port 9100 when omitted).
    pub address: Option<String>,
    /// usb: the device file (default `/dev/usb/lp0`); serial: the port (`/dev/ttyUSB0`).
    pub path: Option<PathBuf>,
    /// serial: the speed; without it the port is used as configured elsewhere (`stty`).
    pub baud: Option<u32>,
    /// serial: RTS/CTS flow control.
    pub rtscts: Option<bool>,
    /// usb and serial: whether the printer answers status requests (default: yes). Without
    /// status the kiosk cannot know before a payment whether a slip can be printed.
    pub status: Option<bool>,
    /// Paper width in millimetres: 58 or 80.
    #[serde(default = "default_paper_mm")]
    pub paper_mm: u32,
    /// The printer's Cyrillic table: `cp866` (most printers sold in Russia) or `wpc1251`.
    #[serde(default)]
    pub code_page: printer::CodePage,
    /// The `ESC t` number of that table on this model, when it is not Epson's (17 / 46).
    pub code_page_table: Option<u8>,
    /// The slip's language: `ru` or `en`.
    #[serde(default)]
    pub language: printer::Language,
    /// The restaurant's lines at the top of the slip; when empty, the POS's own header
    /// (Jupiter's `print_header`), else the kiosk's restaurant name.
    #[serde(default)]
    pub header: Vec<String>,
    /// The order-status page printed as a QR code; `{order_id}` and `{number}` are filled in.
    pub status_url: Option<String>,
    /// When the printer cannot print before a payment: `out_of_service` (take no payment) or
    /// `continue_without_slip` (the guest may go on with the number on screen).
    #[serde(default)]
    pub when_cannot_print: printer::PrinterPolicy,
    /// How long one status reply may take (ms); past it the printer counts as not responding.
    pub status_timeout_ms: Option<u64>,
    pub connect_timeout_ms: Option<u64>,
    /// How long a write may make no progress (ms) before the print is abandoned.
    pub write_timeout_ms: Option<u64>,
}

pub use printer::PrinterPolicy;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterConnection {
    None,
    Tcp,
    Usb,
    Serial,
}

fn default_paper_mm() -> u32 {
    80
}

/// Serial speeds receipt printers use.
const PRINTER_BAUDS: &[u32] = &[1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

impl PrinterSection {
    /// A network printer at `address` with the defaults (the demo, tests).
    pub fn tcp(address: impl Into<String>) -> PrinterSection {
        PrinterSection {
            connection: PrinterConnection::Tcp,
            address: Some(address.into()),
            path: None,
            baud: None,
            rtscts: None,
            status: None,
            paper_mm: default_paper_mm(),
            code_page: Default::default(),
            code_page_table: None,
            language: Default::default(),
            header: vec![],
            status_url: None,
            when_cannot_print: Default::default(),
            status_timeout_ms: None,
            connect_timeout_ms: None,
            write_timeout_ms: None,
        }
    }

    /// The printer crate's settings; `None` for `connection = "none"`.
    pub fn settings(&self) -> Option<printer::PrinterSettings> {
        let connection = match self.connection {
            PrinterConnection::None => return None,
            PrinterConnection::Tcp => printer::Connection::Network {
                address: self.address.clone().unwrap_or_default(),
            },
            PrinterConnection::Usb => printer::Connection::Usb {
                path: self
                    .path
                    .clone()
                    .unwrap_or_else(|| printer::settings::DEFAULT_USB_PATH.into()),
                status: self.status.unwrap_or(true),
            },
            PrinterConnection::Serial => printer::Connection::Serial {
                path: self.path.clone().unwrap_or_default(),
                baud: self.baud,
                rtscts: self.rtscts.unwrap_or(false),
                status: self.status.unwrap_or(true),
            },
        };
        let mut s = printer::PrinterSettings::new(connection);
        s.paper = if self.paper_mm == 58 {
            printer::PaperWidth::Mm58
        } else {
            printer::PaperWidth::Mm80
        };
        s.code_page = self.code_page;
        s.code_page_table = self.code_page_table;
        s.language = self.language;
        s.header = self.header.clone();
        s.status_url = self.status_url.clone();
        s.policy = self.when_cannot_print;
        if let Some(t) = self.status_timeout_ms {
            s.status_timeout_ms = t;
        }
        if let Some(t) = self.connect_timeout_ms {
            s.connect_timeout_ms = t;
        }
        if let Some(t) = self.write_timeout_ms {
            s.write_timeout_ms = t;
        }
        Some(s)
    }

    /// Every problem of the section, each with its key.
    fn validate(&self, bad: &mut dyn FnMut(&str, String)) {
        use PrinterConnection as C;
        let c = self.connection;
        let only = |key: &str, allowed: &[C], bad: &mut dyn FnMut(&str, String)| {
            if !allowed.contains(&c) {
                let kinds: Vec<&str> = allowed
                    .iter()
                    .map(|k| match k {
                        C::None => "none",
                        C::Tcp => "tcp",
                        C::Usb => "usb",
                        C::Serial => "serial",
                    })
                    .collect();
                bad(
                    &format!("printer.{key}"),
                    format!(
                        "is only used with connection = {}; remove it",
                        kinds.join(" or ")
                    ),
                );
            }
        };
        if self.address.is_some() {
            only("address", &[C::Tcp], bad);
        }
        if self.path.is_some() {
            only("path", &[C::Usb, C::Serial], bad);
        }
        if self.baud.is_some() {
            only("baud", &[C::Serial], bad);
        }
        if self.rtscts.is_some() {
            only("rtscts", &[C::Serial], bad);
        }
        if self.status.is_some() {
            only("status", &[C::Usb, C::Serial], bad);
        }
        match c {
            C::Tcp => match self.address.as_deref().map(str::trim) {
                None | Some("") => bad(
                    "printer.address",
                    "is required for a tcp printer: host or host:port, e.g. 192.168.1.50:9100"
                        .into(),
                ),
                Some(a) => {
                    if let Err(why) = check_printer_address(a) {
                        bad("printer.address", why);
                    }
                }
            },
            C::Serial if self.path.is_none() => bad(
                "printer.path",
                "is required for a serial printer: the port, e.g. /dev/ttyUSB0".into(),
            ),
            _ => {}
        }
        if let Some(p) = &self.path {
            if !p.is_absolute() {
                bad(
                    "printer.path",
                    format!(
                        "must be an absolute path, e.g. /dev/usb/lp0 (got {:?})",
                        p.display().to_string()
                    ),
                );
            }
        }
        if let Some(b) = self.baud {
            if !PRINTER_BAUDS.contains(&b) {
                let all: Vec<String> = PRINTER_BAUDS.iter().map(u32::to_string).collect();
                bad(
                    "printer.baud",
                    format!("is {b}; allowed: {}", all.join(", ")),
                );
            }
        }
        if self.paper_mm != 58 && self.paper_mm != 80 {
            bad(
                "printer.paper_mm",
                format!("is {}; allowed: 58 or 80", self.paper_mm),
            );
        }
        if self.header.len() > 6 {
            bad(
                "printer.header",
                format!("has {} lines; allowed: up to 6", self.header.len()),
            );
        }
        for (i, h) in self.header.iter().enumerate() {
            if h.chars().count() > 64 || h.chars().any(char::is_control) {
                bad(
                    &format!("printer.header[{i}]"),
                    "allowed: up to 64 characters, no control characters".into(),
                );
            }
        }
        if let Some(u) = &self.status_url {
            if let Err(why) = check_url(u) {
                bad("printer.status_url", why);
            }
        }
        for (key, value, range) in [
            ("status_timeout_ms", self.status_timeout_ms, 100..=10_000),
            ("connect_timeout_ms", self.connect_timeout_ms, 100..=30_000),
            ("write_timeout_ms", self.write_timeout_ms, 1_000..=120_000),
        ] {
            if let Some(v) = value {
                if !range.contains(&v) {
                    bad(
                        &format!("printer.{key}"),
                        format!(
                            "is {v}; allowed: {} to {} milliseconds",
                            range.start(),
                            range.end()
                        ),
                    );
                }
            }
        }
    }
}

/// `host` or `host:port` of a network printer: no scheme, no spaces, a port from 1 to 65535.
fn check_printer_address(a: &str) -> Result<(), String> {
    let shown = || format!("must be host or host:port, e.g. 192.168.1.50:9100 (got {a:?})");
    if a.contains("://") || a.contains('/') || a.chars().any(char::is_whitespace) {
        return Err(shown());
    }
    if a.parse::<std::net::SocketAddr>().is_ok() {
        return Ok(());
    }
    match a.rsplit_once(':') {
        // An IPv6 address without a port has colons too.
        Some((host, port)) if !host.contains(':') => match port.parse::<u16>() {
            Ok(p) if p > 0 && !host.is_empty() => Ok(()),
            _ => Err(shown()),
        },
        _ if a.parse::<std::net::IpAddr>().is_ok() => Ok(()),
        None if !a.is_empty() => Ok(()),
        _ => Err(shown()),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackSection {
    /// Where the kiosk listens, e.g. `0.0.0.0:8765`.
    pub listen: String,
    /// How ProCart reaches the kiosk, e.g. `http://10.0.0.21:8765`; default: the listen address.
    pub public_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KioskSection {
    /// Short id of this kiosk, part of every external order id (e.g. `kiosk-1`).
    pub id: String,
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    #[serde(default = "default_idle")]
    pub idle_timeout_s: u32,
    #[serde(default = "default_countdown")]
    pub idle_countdown_s: u32,
    #[serde(default = "default_confirmation")]
    pub confirmation_timeout_s: u32,
    /// Shown in the kiosk's header.
    pub restaurant_name: Option<String>,
    /// Where the journal, menu snapshot and image cache live.
    pub data_dir: Option<PathBuf>,
    /// `customer` (the kiosk), `staff` (a staff tablet) or `board` (an order board display).
    #[serde(default)]
    pub mode: AppMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PosKind {
    Procart,
    Jupiter,
}

impl PosKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PosKind::Procart => "procart",
            PosKind::Jupiter => "jupiter",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PosSection {
    pub kind: PosKind,
    pub url: String,
    /// The keyring entry holding the token (ProCart) or the server id (Jupiter).
    #[serde(default = "default_secret_name")]
    pub secret: String,
    /// The POS table orders go to; the gateway's own default when absent.
    pub table: Option<String>,
    /// Jupiter: the keyring entry holding the kiosk user's password.
    #[serde(default = "default_user_secret")]
    pub user_secret: String,
    /// Jupiter: `pay_first` (charge the menu price, then send and close the order) or
    /// `submit_first` (send the order open, charge Jupiter's total, then close it).
    #[serde(default)]
    pub strategy: JupiterStrategy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JupiterStrategy {
    #[default]
    PayFirst,
    SubmitFirst,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentSection {
    /// `simulator`, `counter`, `sbpilot`, `tbank` or `yookassa`.
    pub provider: String,
    /// The simulator's address (demo and tests).
    pub url: Option<String>,
    /// The POS tender recorded with the payment: an r_keeper currency code, a Jupiter pay type.
    pub tender: String,
    /// The tender's name where the POS wants one with the code (Jupiter's reports).
    pub tender_name: Option<String>,
    /// How long the customer may take at the terminal before the kiosk stops waiting for the
    /// answer and asks the provider for the payment's status instead (seconds; default 90).
    pub timeout_s: Option<u64>,
    /// `[payment.sbpilot]`: the Sberbank terminal's `sb_pilot` program and folders.
    pub sbpilot: Option<payments::sbpilot::SbPilotConfig>,
    /// `[payment.tbank]`: T-Bank SBP QR (keys in the keyring, named here).
    pub tbank: Option<payments::tbank::TbankConfig>,
    /// `[payment.yookassa]`: YooKassa SBP QR (keys in the keyring, named here).
    pub yookassa: Option<payments::yookassa::YookassaConfig>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderTypes {
    /// Order types offered, in display order.
    pub offered: Vec<OrderType>,
    /// POS order category per order type (it selects the prices). Jupiter has none: leave
    /// it out.
    #[serde(default)]
    pub categories: BTreeMap<String, String>,
}

impl Default for OrderTypes {
    fn default() -> Self {
        OrderTypes {
            offered: vec![OrderType::EatIn, OrderType::Takeaway],
            categories: BTreeMap::new(),
        }
    }
}

impl OrderTypes {
    pub fn category(&self, t: OrderType) -> Option<String> {
        let key = match t {
            OrderType::EatIn => "eat_in",
            OrderType::Takeaway => "takeaway",
        };
        self.categories.get(key).cloned()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuSection {
    /// Seconds between background refreshes; never below 60 for ProCart, whose menu is cached
    /// server side for up to a minute anyway.
    #[serde(default = "default_refresh")]
    pub refresh_s: u64,
}

impl Default for MenuSection {
    fn default() -> Self {
        MenuSection {
            refresh_s: default_refresh(),
        }
    }
}

fn default_languages() -> Vec<String> {
    vec!["ru".into(), "en".into()]
}
fn default_idle() -> u32 {
    90
}
fn default_countdown() -> u32 {
    20
}
fn default_user_secret() -> String {
    "pos-user".into()
}
fn default_confirmation() -> u32 {
    30
}
fn default_secret_name() -> String {
    "pos-token".into()
}
fn default_refresh() -> u64 {
    60
}

/// The UI's languages; a settings file may offer these only.
pub const SUPPORTED_LANGUAGES: &[&str] = &["ru", "en"];

/// One problem in a settings file: where it is, which key, what is wrong and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The key at fault (`pos.url`, `order_types.offered[1]`); `None` for a syntax error.
    pub key: Option<String>,
    /// 1-based; `None` when the text is not known (a config built in code).
    pub line: Option<usize>,
    /// 1-based, in characters.
    pub column: Option<usize>,
    pub message: String,
}

impl ConfigProblem {
    fn at(key: impl Into<String>, message: impl Into<String>) -> ConfigProblem {
        ConfigProblem {
            key: Some(key.into()),
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: ")?,
            (Some(l), None) => write!(f, "line {l}: ")?,
            _ => {}
        }
        if let Some(k) = &self.key {
            write!(f, "{k}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found, in the order of the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigProblems(pub Vec<ConfigProblem>);

impl std::fmt::Display for ConfigProblems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the settings file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the settings file {path} is not valid:\n{problems}")]
    Invalid {
        path: PathBuf,
        problems: ConfigProblems,
    },
}

impl KioskConfig {
    pub fn load(path: &Path) -> Result<KioskConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|problems| ConfigError::Invalid {
            path: path.to_path_buf(),
            problems,
        })
    }

    /// Parses and checks the values; every problem names its line, column and what is allowed.
    pub fn parse(text: &str) -> Result<KioskConfig, ConfigProblems> {
        let cfg: KioskConfig = match toml::from_str(text) {
            Ok(c) => c,
            Err(e) => {
                let (line, column) = e
                    .span()
                    .map(|s| line_col(text, s.start))
                    .map_or((None, None), |(l, c)| (Some(l), Some(c)));
                let key = e.span().and_then(|s| spans::key_at(text, s.start));
                return Err(ConfigProblems(vec![ConfigProblem {
                    key,
                    line,
                    column,
                    message: e.message().trim().to_string(),
                }]));
            }
        };
        if let Err(ConfigProblems(mut problems)) = cfg.validate() {
            for p in &mut problems {
                if let Some(offset) = p.key.as_deref().and_then(|k| spans::find(text, k)) {
                    let (l, c) = line_col(text, offset);
                    p.line = Some(l);
                    p.column = Some(c);
                }
            }
            problems.sort_by_key(|p| (p.line, p.column));
            return Err(ConfigProblems(problems));
        }
        Ok(cfg)
    }

    /// Checks the values that TOML types cannot: every problem, each with its key and what is
    /// allowed.
    pub fn validate(&self) -> Result<(), ConfigProblems> {
        let mut out = Vec::new();
        let mut bad = |key: &str, msg: String| out.push(ConfigProblem::at(key, msg));

        let k = &self.kiosk;
        let id_ok =
            k.id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if k.id.is_empty() || k.id.chars().count() > 20 || !id_ok {
            bad(
                "kiosk.id",
                format!(
                    "must be 1 to 20 characters of letters, digits, '-' and '_' (got {:?})",
                    k.id
                ),
            );
        }
        if k.languages.is_empty() {
            bad(
                "kiosk.languages",
                format!(
                    "must list at least one of: {}",
                    SUPPORTED_LANGUAGES.join(", ")
                ),
            );
        }
        for (i, l) in k.languages.iter().enumerate() {
            if !SUPPORTED_LANGUAGES.contains(&l.as_str()) {
                bad(
                    &format!("kiosk.languages[{i}]"),
                    format!(
                        "{l:?} is not a language of the kiosk; allowed: {}",
                        SUPPORTED_LANGUAGES.join(", ")
                    ),
                );
            }
        }
        if !(10..=3600).contains(&k.idle_timeout_s) {
            bad(
                "kiosk.idle_timeout_s",
                format!("is {}; allowed: 10 to 3600 seconds", k.idle_timeout_s),
            );
        }
        if !(5..=120).contains(&k.idle_countdown_s) {
            bad(
                "kiosk.idle_countdown_s",
                format!("is {}; allowed: 5 to 120 seconds", k.idle_countdown_s),
            );
        }
        if !(5..=600).contains(&k.confirmation_timeout_s) {
            bad(
                "kiosk.confirmation_timeout_s",
                format!("is {}; allowed: 5 to 600 seconds", k.confirmation_timeout_s),
            );
        }
        if let Some(name) = &k.restaurant_name {
            if name.chars().count() > 60 || name.chars().any(char::is_control) {
                bad(
                    "kiosk.restaurant_name",
                    "allowed: up to 60 characters, no control characters".into(),
                );
            }
        }
        if let Some(dir) = &k.data_dir {
            if !dir.is_absolute() {
                bad(
                    "kiosk.data_dir",
                    format!(
                        "must be an absolute path, e.g. /var/lib/kiosk (got {:?})",
                        dir.display().to_string()
                    ),
                );
            }
        }

        if let Err(why) = check_url(&self.pos.url) {
            bad("pos.url", why);
        }
        for (key, name) in [
            ("pos.secret", &self.pos.secret),
            ("pos.user_secret", &self.pos.user_secret),
        ] {
            let ok = !name.is_empty()
                && name.len() <= 64
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !ok {
                bad(
                    key,
                    format!("names a keyring entry: 1 to 64 letters, digits, '-', '_' or '.' (got {name:?})"),
                );
            }
        }
        if self
            .pos
            .table
            .as_deref()
            .is_some_and(|t| t.trim().is_empty())
        {
            bad(
                "pos.table",
                "is empty; give the POS table code or remove the key".into(),
            );
        }

        let p = &self.payment;
        match p.provider.as_str() {
            "simulator" => match &p.url {
                None => bad(
                    "payment.url",
                    "is required for the simulator provider (e.g. http://127.0.0.1:8080)".into(),
                ),
                Some(u) => {
                    if let Err(why) = check_url(u) {
                        bad("payment.url", why);
                    }
                }
            },
            "counter" | "tbank" | "yookassa" => {}
            "sbpilot" => {
                if p.sbpilot.is_none() {
                    bad(
                        "payment.sbpilot",
                        "is required for the sbpilot provider: a [payment.sbpilot] table with `binary`".into(),
                    );
                }
            }
            other => bad(
                "payment.provider",
                format!("{other:?} is not one of: simulator, counter, sbpilot, tbank, yookassa"),
            ),
        }
        if p.tender.trim().is_empty() {
            bad(
                "payment.tender",
                "is empty; give the POS payment type (r_keeper currency code, Jupiter pay type uid)"
                    .into(),
            );
        }
        if let Some(t) = p.timeout_s {
            if !(1..=600).contains(&t) {
                bad(
                    "payment.timeout_s",
                    format!("is {t}; allowed: 1 to 600 seconds"),
                );
            }
        }

        let o = &self.order_types;
        if o.offered.is_empty() {
            bad(
                "order_types.offered",
                "must list at least one of: eat_in, takeaway".into(),
            );
        }
        if o.offered.len() == 2 && o.offered[0] == o.offered[1] {
            bad(
                "order_types.offered",
                "lists the same order type twice".into(),
            );
        }
        for (key, code) in &o.categories {
            if key != "eat_in" && key != "takeaway" {
                bad(
                    &format!("order_types.categories.{key}"),
                    format!("{key:?} is not an order type; allowed: eat_in, takeaway"),
                );
            } else if code.trim().is_empty() {
                bad(
                    &format!("order_types.categories.{key}"),
                    "is empty; give the POS order category code".into(),
                );
            }
        }

        let min_refresh = match self.pos.kind {
            PosKind::Procart => 60,
            PosKind::Jupiter => 10,
        };
        if self.menu.refresh_s < min_refresh || self.menu.refresh_s > 86_400 {
            let why = match self.pos.kind {
                PosKind::Procart => {
                    "ProCart menus must not be fetched more than once a minute: allowed 60 to 86400"
                }
                PosKind::Jupiter => "allowed: 10 to 86400",
            };
            bad(
                "menu.refresh_s",
                format!("is {}; {why}", self.menu.refresh_s),
            );
        }

        if let Some(c) = &self.callbacks {
            if self.pos.kind != PosKind::Procart {
                bad(
                    "callbacks",
                    "push notifications are ProCart's; remove [callbacks] for Jupiter".into(),
                );
            }
            if c.listen.parse::<std::net::SocketAddr>().is_err() {
                bad(
                    "callbacks.listen",
                    format!(
                        "must be an IP address and port, e.g. 0.0.0.0:8765 (got {:?})",
                        c.listen
                    ),
                );
            }
            if let Some(u) = &c.public_url {
                if let Err(why) = check_url(u) {
                    bad("callbacks.public_url", why);
                }
            }
        }
        if let Some(p) = &self.printer {
            p.validate(&mut bad);
        }
        if out.is_empty() {
            Ok(())
        } else {
            Err(ConfigProblems(out))
        }
    }

    /// The file as TOML, for the set-up wizard to write.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string_pretty(self).unwrap_or_default();
        format!(
            "# Kiosk settings (no secrets: those are in the OS keyring).\n\
             # Written by the set-up wizard; `kioskctl doctor --config FILE` checks it.\n\n{body}"
        )
    }

    /// The demo set-up against the built-in Jupiter simulator.
    pub fn demo_jupiter(sim_url: &str, data_dir: PathBuf) -> KioskConfig {
        let mut c = KioskConfig::demo(sim_url, data_dir);
        c.pos.kind = PosKind::Jupiter;
        c.pos.url = format!("{}/jpos/index.php", sim_url.trim_end_matches('/'));
        c.payment.tender = "paymentCard".into();
        c.payment.tender_name = Some("Банковская карта".into());
        c.order_types.categories.clear();
        c.menu.refresh_s = 60;
        c
    }

    /// The demo set-up against the built-in simulator.
    pub fn demo(sim_url: &str, data_dir: PathBuf) -> KioskConfig {
        KioskConfig {
            kiosk: KioskSection {
                id: "demo-1".into(),
                languages: default_languages(),
                idle_timeout_s: default_idle(),
                idle_countdown_s: default_countdown(),
                confirmation_timeout_s: default_confirmation(),
                restaurant_name: Some("Бургерная «Огонёк»".into()),
                data_dir: Some(data_dir),
                mode: Default::default(),
            },
            pos: PosSection {
                kind: PosKind::Procart,
                url: sim_url.to_string(),
                secret: default_secret_name(),
                table: None,
                user_secret: default_user_secret(),
                strategy: JupiterStrategy::PayFirst,
            },
            payment: PaymentSection {
                provider: "simulator".into(),
                url: Some(sim_url.to_string()),
                tender: "1".into(),
                tender_name: None,
                timeout_s: None,
                sbpilot: None,
                tbank: None,
                yookassa: None,
            },
            order_types: OrderTypes {
                offered: vec![OrderType::EatIn, OrderType::Takeaway],
                categories: [
                    ("eat_in".to_string(), "1".to_string()),
                    ("takeaway".to_string(), "2".to_string()),
                ]
                .into_iter()
                .collect(),
            },
            menu: MenuSection::default(),
            callbacks: None,
            printer: None,
        }
    }
}

/// An address the kiosk can call: `http://` or `https://`, a host, no spaces.
fn check_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') && !url.chars().any(char::is_whitespace) => {
            Ok(())
        }
        _ => Err(format!(
            "must be an address starting with http:// or https://, e.g. http://10.0.0.5:11111 (got {url:?})"
        )),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

/// The settings file's keys and where they are, from toml's own parser (so dotted keys, inline
/// tables and table headers are all understood).
mod spans {
    use toml::de::{DeTable, DeValue};

    /// The byte offset of `key` (`pos.url`, `kiosk.languages[1]`); for a key that is absent,
    /// the offset of the closest table that would hold it.
    pub fn find(text: &str, key: &str) -> Option<usize> {
        let doc = DeTable::parse(text).ok()?;
        let mut table = doc.get_ref();
        let mut found = None;
        for part in key.split('.') {
            let (name, index) = match part.split_once('[') {
                Some((n, i)) => (n, i.trim_end_matches(']').parse::<usize>().ok()),
                None => (part, None),
            };
            let Some((k, v)) = table.iter().find(|(k, _)| k.get_ref().as_ref() == name) else {
                return found;
            };
            found = Some(k.span().start);
            let mut value = v;
            if let Some(i) = index {
                match value.get_ref() {
                    DeValue::Array(items) => match items.get(i) {
                        Some(item) => {
                            found = Some(item.span().start);
                            value = item;
                        }
                        None => return found,
                    },
                    _ => return found,
                }
            }
            match value.get_ref() {
                DeValue::Table(t) => table = t,
                _ => return found,
            }
        }
        found
    }

    /// The key whose value holds `offset`, for toml's own errors. Tables are searched whatever
    /// their own span (a `[table]` header's span does not cover its keys).
    pub fn key_at(text: &str, offset: usize) -> Option<String> {
        fn search(table: &DeTable<'_>, offset: usize, path: &mut Vec<String>) -> bool {
            for (k, v) in table.iter() {
                path.push(k.get_ref().to_string());
                if let DeValue::Table(t) = v.get_ref() {
                    if search(t, offset, path) {
                        return true;
                    }
                }
                let (ks, vs) = (k.span(), v.span());
                let scalar = !matches!(v.get_ref(), DeValue::Table(_));
                if (ks.start <= offset && offset < ks.end)
                    || (scalar && vs.start <= offset && offset < vs.end)
                {
                    return true;
                }
                path.pop();
            }
            false
        }
        let doc = DeTable::parse(text).ok()?;
        let mut path = Vec::new();
        search(doc.get_ref(), offset, &mut path).then(|| path.join("."))
    }
}

/// Where the kiosk reads its settings when no `--config` is given: `$KIOSK_CONFIG`, else
/// `/etc/kiosk/kiosk.toml` when it exists (a machine-wide installation), else
/// `$XDG_CONFIG_HOME/kiosk/kiosk.toml` (`~/.config/kiosk/kiosk.toml`), which is where the set-up
/// wizard writes on a new installation.
pub fn default_config_path() -> PathBuf {
    if let Some(p) = std::env::var_os("KIOSK_CONFIG") {
        return PathBuf::from(p);
    }
    let system = PathBuf::from("/etc/kiosk/kiosk.toml");
    if system.exists() {
        return system;
    }
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("kiosk")
        .join("kiosk.toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[kiosk]
id = "kiosk-1"

[pos]
kind = "procart"
url = "http://10.0.0.5:11111"

[payment]
provider = "counter"
tender = "1"

[order_types]
offered = ["eat_in", "takeaway"]
categories = { eat_in = "1", takeaway = "2" }
"#;

    #[test]
    fn parses_a_good_file() {
        let c = KioskConfig::parse(GOOD).unwrap();
        assert_eq!(
            c.order_types.category(OrderType::Takeaway).as_deref(),
            Some("2")
        );
        assert_eq!(c.kiosk.idle_timeout_s, 90);
    }

    #[test]
    fn jupiter_settings_need_no_order_categories() {
        let text = GOOD
            .replace("kind = \"procart\"", "kind = \"jupiter\"")
            .replace("categories = { eat_in = \"1\", takeaway = \"2\" }\n", "");
        assert!(!text.contains("categories"));
        let c = KioskConfig::parse(&text).unwrap();
        assert_eq!(c.pos.kind, PosKind::Jupiter);
        assert_eq!(c.order_types.category(OrderType::EatIn), None);
    }

    #[test]
    fn the_demo_settings_are_valid() {
        let dir = PathBuf::from("/tmp/kiosk-demo");
        KioskConfig::demo("http://127.0.0.1:1", dir.clone())
            .validate()
            .unwrap();
        KioskConfig::demo_jupiter("http://127.0.0.1:1", dir)
            .validate()
            .unwrap();
    }

    /// What the wizard writes reads back unchanged.
    #[test]
    fn written_settings_read_back() {
        let c = KioskConfig::parse(GOOD).unwrap();
        assert_eq!(KioskConfig::parse(&c.to_toml()).unwrap(), c);
    }

    /// Each bad file: (what to change in GOOD, the line and column reported, text the message
    /// must contain: the key and what is allowed).
    #[test]
    fn every_problem_names_its_line_column_and_what_is_allowed() {
        /// (text in GOOD, its replacement, the line and column reported, words the message holds)
        type Case<'a> = (&'a str, &'a str, (usize, usize), &'a [&'a str]);
        let cases: &[Case] = &[
            // toml's own errors: syntax, unknown keys, wrong types, unknown variants, missing keys
            (
                "tender = \"1\"",
                "tender = \"1\"\ntendr = 2",
                (12, 1),
                &["tendr", "expected one of", "tender_name"],
            ),
            (
                "tender = \"1\"",
                "tender = 1",
                (11, 10),
                &["payment.tender", "string"],
            ),
            (
                "kind = \"procart\"",
                "kind = \"rkeeper\"",
                (6, 8),
                &["pos.kind", "procart", "jupiter"],
            ),
            (
                "url = \"http://10.0.0.5:11111\"",
                "url = \"http://10.0.0.5:11111",
                (7, 29),
                &["invalid basic string"],
            ),
            (
                "[kiosk]\nid = \"kiosk-1\"",
                "[kiosk]\nid = \"kiosk-1\"\nidle_timeout_s = -5",
                (4, 18),
                &["kiosk.idle_timeout_s"],
            ),
            (
                "offered = [\"eat_in\", \"takeaway\"]",
                "offered = [\"eat_in\", \"delivery\"]",
                (14, 22),
                &["delivery", "eat_in", "takeaway"],
            ),
            (
                "[payment]\nprovider = \"counter\"\ntender = \"1\"",
                "[payment]\nprovider = \"counter\"",
                (9, 1),
                &["missing field", "tender"],
            ),
            // our own checks
            (
                "url = \"http://10.0.0.5:11111\"",
                "url = \"10.0.0.5:11111\"",
                (7, 1),
                &["pos.url", "http://", "https://"],
            ),
            (
                "\"counter\"",
                "\"cash\"",
                (10, 1),
                &[
                    "payment.provider",
                    "simulator, counter, sbpilot, tbank, yookassa",
                ],
            ),
            (
                "id = \"kiosk-1\"",
                "id = \"kiosk 1 in the hall, by the door\"",
                (3, 1),
                &["kiosk.id", "1 to 20"],
            ),
            (
                "[order_types]",
                "[menu]\nrefresh_s = 5\n[order_types]",
                (14, 1),
                &["menu.refresh_s", "once a minute", "60 to 86400"],
            ),
            (
                "id = \"kiosk-1\"",
                "id = \"kiosk-1\"\nlanguages = [\"ru\", \"de\"]",
                (4, 20),
                &["kiosk.languages[1]", "\"de\"", "ru, en"],
            ),
            (
                "id = \"kiosk-1\"",
                "id = \"kiosk-1\"\nidle_timeout_s = 5",
                (4, 1),
                &["kiosk.idle_timeout_s", "10 to 3600"],
            ),
            (
                "provider = \"counter\"",
                "provider = \"simulator\"",
                (9, 2),
                &["payment.url", "required"],
            ),
            (
                "categories = { eat_in = \"1\", takeaway = \"2\" }",
                "categories = { eat_in = \"1\", delivery = \"2\" }",
                (15, 30),
                &["order_types.categories.delivery", "eat_in, takeaway"],
            ),
            (
                "offered = [\"eat_in\", \"takeaway\"]",
                "offered = []",
                (14, 1),
                &["order_types.offered", "at least one"],
            ),
            (
                "[order_types]",
                "[callbacks]\nlisten = \"everywhere\"\n[order_types]",
                (14, 1),
                &["callbacks.listen", "0.0.0.0:8765"],
            ),
            (
                "id = \"kiosk-1\"",
                "id = \"kiosk-1\"\ndata_dir = \"data\"",
                (4, 1),
                &["kiosk.data_dir", "absolute"],
            ),
        ];
        let mut wrong = Vec::new();
        for (from, to, (line, col), needles) in cases {
            assert!(GOOD.contains(from), "case {to:?} does not apply");
            let text = GOOD.replacen(from, to, 1);
            let err = KioskConfig::parse(&text).expect_err(to);
            let shown = err.to_string();
            let ok = shown.starts_with(&format!("line {line}, column {col}: "))
                && needles.iter().all(|n| shown.contains(n));
            if !ok {
                wrong.push(format!("{to:?} => {shown:?}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn all_problems_are_reported_at_once_in_file_order() {
        let text = GOOD
            .replace("\"counter\"", "\"cash\"")
            .replace("id = \"kiosk-1\"", "id = \"\"");
        let err = KioskConfig::parse(&text).unwrap_err();
        let keys: Vec<_> = err.0.iter().map(|p| p.key.clone().unwrap()).collect();
        assert_eq!(keys, ["kiosk.id", "payment.provider"]);
    }

    #[test]
    fn a_file_that_cannot_be_used_says_which_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        std::fs::write(&path, GOOD.replace("\"counter\"", "\"cash\"")).unwrap();
        let e = KioskConfig::load(&path).unwrap_err().to_string();
        assert!(
            e.contains("kiosk.toml") && e.contains("line 10, column 1"),
            "{e}"
        );
        let e = KioskConfig::load(&dir.path().join("none.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot read") && e.contains("none.toml"), "{e}");
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_col("a\nбв = 1", 6), (2, 3));
        assert_eq!(line_col("", 10), (1, 1));
    }
}
