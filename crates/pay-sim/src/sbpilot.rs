//! The `sb_pilot` stand-in: Sberbank's card-terminal program as the kiosk sees it.
//!
//! Same command line as the real one (reference `payments.md` §3.1, [C]):
//! `sb_pilot 1 <kopecks>` sale, `sb_pilot 8 <kopecks>` cancel (void) of the last approved sale
//! of that amount, `sb_pilot 3 <kopecks> <card type> QSELECT <reference>` refund,
//! `sb_pilot 7` reconciliation, `sb_pilot 26` health check. Same output: the result file `e`
//! and the slip `p` in the **current directory**, in KOI8-R, the terminal's prompts and a
//! `return:N` line on standard output, and exit code 0 whatever happened (except where the
//! scenario is a crash).
//!
//! The scenario comes from a JSON file named by `SB_PILOT_SIM_CONFIG` (tests rewrite it
//! between calls), or from `SB_PILOT_SIM_SCENARIO` (just a scenario name). Every approved
//! operation is recorded in a ledger (`SB_PILOT_SIM_LEDGER`, or `<config>.ledger.json`) so
//! tests can assert what the customer was really charged, whatever the kiosk believes.
//!
//! Codes written (the real ones for decline and no-pinpad are not public; these are the
//! simulator's): `0` approved, `2000` cancelled by the customer [C], `4451` declined, `4119` no
//! pinpad, `4134` the operation to cancel or refund was not found, `99` unknown command.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub const CONFIG_ENV: &str = "SB_PILOT_SIM_CONFIG";
pub const SCENARIO_ENV: &str = "SB_PILOT_SIM_SCENARIO";
pub const LEDGER_ENV: &str = "SB_PILOT_SIM_LEDGER";

pub const CODE_DECLINED: &str = "4451";
pub const CODE_NO_PINPAD: &str = "4119";
pub const CODE_NOT_FOUND: &str = "4134";
pub const CODE_CUSTOMER_CANCEL: &str = "2000";

/// What the simulated terminal does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    #[default]
    Approve,
    /// The bank declines ("insufficient funds").
    Decline,
    /// The customer presses Cancel on the pinpad (code 2000).
    CustomerCancel,
    /// Shows a prompt and then waits `hang_s` (past the kiosk's timeout) before approving.
    Hang,
    /// Charges, writes `e` and `p`, then dies (SIGABRT) before printing `return:`.
    CrashAfterResult,
    /// Charges, then dies before writing `e`: the kiosk cannot know it was charged.
    CrashBeforeResult,
    /// Writes bytes that are not a result, prints noise, charges nothing.
    Garbage,
    /// The pinpad does not answer (code 4119); nothing is charged.
    NoPinpad,
}

impl std::str::FromStr for Scenario {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        serde_json::from_value(serde_json::Value::String(s.to_string()))
            .map_err(|_| format!("unknown scenario {s:?}"))
    }
}

/// The stand-in's settings (the JSON file `SB_PILOT_SIM_CONFIG` names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SbPilotSimConfig {
    /// For every operation unless overridden below.
    pub scenario: Scenario,
    pub sale: Option<Scenario>,
    pub cancel: Option<Scenario>,
    pub refund: Option<Scenario>,
    pub health: Option<Scenario>,
    /// How long `hang` waits.
    pub hang_s: u64,
    /// Between two prompts (the customer tapping, typing the PIN).
    pub prompt_delay_ms: u64,
    /// The ledger file; default `<config file>.ledger.json`.
    pub ledger: Option<PathBuf>,
    pub card_mask: String,
    pub terminal_id: String,
    pub merchant_id: String,
}

impl Default for SbPilotSimConfig {
    fn default() -> Self {
        SbPilotSimConfig {
            scenario: Scenario::Approve,
            sale: None,
            cancel: None,
            refund: None,
            health: None,
            hang_s: 600,
            prompt_delay_ms: 0,
            ledger: None,
            card_mask: "220220******1234".into(),
            terminal_id: "00112233".into(),
            merchant_id: "771234567890".into(),
        }
    }
}

impl SbPilotSimConfig {
    pub fn with(scenario: Scenario) -> Self {
        SbPilotSimConfig {
            scenario,
            ..Default::default()
        }
    }

    /// Writes the config where `SB_PILOT_SIM_CONFIG` will point.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        write_atomic(path, &bytes)
    }

    fn scenario_for(&self, op: &Op) -> Scenario {
        let specific = match op {
            Op::Sale { .. } => self.sale,
            Op::Cancel { .. } => self.cancel,
            Op::Refund { .. } => self.refund,
            Op::Health | Op::Reconcile => self.health,
            Op::Unknown(_) => None,
        };
        specific.unwrap_or(self.scenario)
    }
}

/// One approved operation on the simulated terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub op: String,
    pub amount: i64,
    pub reference: String,
    pub auth_code: String,
    /// For sales: `approved`, `voided`, or `refunded` (in part or in full).
    pub status: String,
    #[serde(default)]
    pub refunded: i64,
    /// For cancels and refunds: the sale's reference.
    #[serde(default)]
    pub original: Option<String>,
}

/// Everything the simulated terminal approved, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub entries: Vec<LedgerEntry>,
}

impl Ledger {
    pub fn read(path: &Path) -> Ledger {
        std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn write(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        write_atomic(path, &bytes)
    }

    pub fn sales(&self) -> impl Iterator<Item = &LedgerEntry> {
        self.entries.iter().filter(|e| e.op == "sale")
    }

    /// What the customers are out of pocket now, in kopecks.
    pub fn charged(&self) -> i64 {
        self.sales()
            .map(|s| match s.status.as_str() {
                "voided" => 0,
                _ => s.amount - s.refunded,
            })
            .sum()
    }
}

/// The ledger path for a config file: `<config>.ledger.json`.
pub fn ledger_path_for(config: &Path) -> PathBuf {
    let mut name = config.as_os_str().to_owned();
    name.push(".ledger.json");
    PathBuf::from(name)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Sale {
        amount: i64,
    },
    Cancel {
        amount: i64,
    },
    Refund {
        amount: i64,
        reference: Option<String>,
    },
    Reconcile,
    Health,
    Unknown(String),
}

fn parse_args(args: &[String]) -> Op {
    let amount = || args.get(1).and_then(|a| a.trim().parse::<i64>().ok());
    match args.first().map(String::as_str) {
        Some("1") => amount().map_or_else(|| Op::Unknown("1".into()), |a| Op::Sale { amount: a }),
        Some("8") => amount().map_or_else(|| Op::Unknown("8".into()), |a| Op::Cancel { amount: a }),
        Some("3") => match amount() {
            Some(a) => {
                let reference = args
                    .iter()
                    .position(|x| x == "QSELECT")
                    .and_then(|i| args.get(i + 1))
                    .cloned();
                Op::Refund {
                    amount: a,
                    reference,
                }
            }
            None => Op::Unknown("3".into()),
        },
        Some("7") => Op::Reconcile,
        Some("26") => Op::Health,
        other => Op::Unknown(other.unwrap_or("").to_string()),
    }
}

fn koi8(text: &str) -> Vec<u8> {
    encoding_rs::KOI8_R.encode(text).0.into_owned()
}

/// Prints a line in KOI8-R, flushed at once as a real terminal program's output would be.
fn say(text: &str) {
    let mut out = std::io::stdout();
    let mut bytes = koi8(text);
    bytes.push(b'\n');
    let _ = out.write_all(&bytes);
    let _ = out.flush();
}

fn timestamp() -> String {
    let t = time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    let f = time::macros::format_description!("[year][month][day][hour][minute][second]");
    t.format(&f).unwrap_or_else(|_| "20260101000000".into())
}

struct Run<'a> {
    cfg: SbPilotSimConfig,
    cwd: &'a Path,
    ledger_path: Option<PathBuf>,
}

impl Run<'_> {
    fn pause(&self) {
        if self.cfg.prompt_delay_ms > 0 {
            std::thread::sleep(Duration::from_millis(self.cfg.prompt_delay_ms));
        }
    }

    fn write_result(&self, code: &str, text: &str, lines: &[String], slip: &str) {
        let mut body = format!("{code},{text}\n");
        for l in lines {
            body.push_str(l);
            body.push('\n');
        }
        let _ = std::fs::write(self.cwd.join("p"), koi8(slip));
        let _ = std::fs::write(self.cwd.join("e"), koi8(&body));
    }

    fn fail(&self, code: &str, text: &str) -> i32 {
        self.write_result(code, text, &[], &format!("{text}\n"));
        say(text);
        say(&format!("return:{code}"));
        0
    }

    fn ledger(&self) -> Ledger {
        self.ledger_path
            .as_deref()
            .map(Ledger::read)
            .unwrap_or_default()
    }

    fn save_ledger(&self, l: &Ledger) {
        if let Some(p) = &self.ledger_path {
            if let Err(e) = l.write(p) {
                eprintln!("sb_pilot (sim): cannot write the ledger: {e}");
            }
        }
    }

    /// The 14 lines after the code (see `payments::sbpilot::efile` for their meaning).
    fn detail_lines(&self, reference: &str, auth_code: &str, receipt_no: usize) -> Vec<String> {
        vec![
            self.cfg.card_mask.clone(),
            "12/29".into(),
            auth_code.into(),
            format!("{receipt_no:04}"),
            "МИР".into(),
            String::new(),
            self.cfg.terminal_id.clone(),
            timestamp(),
            reference.into(),
            "9F2C4B1A0E77D3C8".into(),
            String::new(),
            String::new(),
            self.cfg.merchant_id.clone(),
        ]
    }

    /// Approves `op`: records it in the ledger and returns (reference, auth code, receipt no).
    fn approve(&self, op: &Op) -> Result<(String, String, usize), (&'static str, String)> {
        let mut ledger = self.ledger();
        let n = ledger.entries.len() + 1;
        let reference = format!("{:012}", 612_300_000_000u64 + n as u64);
        let auth_code = format!("{:06}", (n * 7919 + 104_729) % 1_000_000);
        let entry = match op {
            Op::Sale { amount } => LedgerEntry {
                op: "sale".into(),
                amount: *amount,
                reference: reference.clone(),
                auth_code: auth_code.clone(),
                status: "approved".into(),
                refunded: 0,
                original: None,
            },
            Op::Cancel { amount } => {
                let Some(sale) = ledger
                    .entries
                    .iter_mut()
                    .rev()
                    .find(|e| e.op == "sale" && e.amount == *amount && e.status == "approved")
                else {
                    return Err((CODE_NOT_FOUND, "ОПЕРАЦИЯ ДЛЯ ОТМЕНЫ НЕ НАЙДЕНА".into()));
                };
                sale.status = "voided".into();
                LedgerEntry {
                    op: "cancel".into(),
                    amount: *amount,
                    reference: reference.clone(),
                    auth_code: auth_code.clone(),
                    status: "approved".into(),
                    refunded: 0,
                    original: Some(sale.reference.clone()),
                }
            }
            Op::Refund {
                amount,
                reference: original,
            } => {
                let Some(sale) = ledger.entries.iter_mut().find(|e| {
                    e.op == "sale"
                        && Some(&e.reference) == original.as_ref()
                        && e.status != "voided"
                }) else {
                    return Err((CODE_NOT_FOUND, "ОПЕРАЦИЯ ДЛЯ ВОЗВРАТА НЕ НАЙДЕНА".into()));
                };
                if sale.refunded + amount > sale.amount {
                    return Err((CODE_DECLINED, "ОТКАЗ: СУММА ВОЗВРАТА БОЛЬШЕ ПОКУПКИ".into()));
                }
                sale.refunded += amount;
                sale.status = "refunded".into();
                LedgerEntry {
                    op: "refund".into(),
                    amount: *amount,
                    reference: reference.clone(),
                    auth_code: auth_code.clone(),
                    status: "approved".into(),
                    refunded: 0,
                    original: original.clone(),
                }
            }
            Op::Health | Op::Reconcile | Op::Unknown(_) => return Ok((reference, auth_code, n)),
        };
        ledger.entries.push(entry);
        self.save_ledger(&ledger);
        Ok((reference, auth_code, n))
    }

    fn slip(&self, title: &str, amount: i64, reference: &str, auth_code: &str) -> String {
        format!(
            "ПАО СБЕРБАНК\n{title}\nТерминал: {}\nКарта: {}\nСумма: {}.{:02} руб\nКод авторизации: {auth_code}\nНомер ссылки: {reference}\nОДОБРЕНО\n",
            self.cfg.terminal_id,
            self.cfg.card_mask,
            amount / 100,
            amount % 100
        )
    }

    fn execute(&self, op: Op) -> i32 {
        let scenario = self.cfg.scenario_for(&op);
        let (title, amount) = match &op {
            Op::Sale { amount } => ("ОПЛАТА", *amount),
            Op::Cancel { amount } => ("ОТМЕНА", *amount),
            Op::Refund { amount, .. } => ("ВОЗВРАТ", *amount),
            Op::Reconcile => ("СВЕРКА ИТОГОВ", 0),
            Op::Health => ("ПРОВЕРКА ПИНПАДА", 0),
            Op::Unknown(code) => {
                return self.fail("99", &format!("НЕИЗВЕСТНАЯ ОПЕРАЦИЯ {code}"));
            }
        };
        if scenario == Scenario::NoPinpad {
            say("ОЖИДАНИЕ ПИНПАДА");
            return self.fail(CODE_NO_PINPAD, "НЕТ СВЯЗИ С ПИНПАДОМ");
        }
        if matches!(op, Op::Sale { .. } | Op::Refund { .. }) {
            say("ПРИЛОЖИТЕ, ВСТАВЬТЕ ИЛИ ПРОВЕДИТЕ КАРТУ");
            self.pause();
        }
        match scenario {
            Scenario::Garbage => {
                let _ = std::fs::write(
                    self.cwd.join("e"),
                    [0xff, 0x00, 0x13, b'#', b'@', 0x81, b'\n'],
                );
                let _ = std::io::stdout().write_all(&[0x1b, b'[', b'2', b'J', 0xfe, b'\n']);
                return 0;
            }
            Scenario::CustomerCancel => {
                return self.fail(CODE_CUSTOMER_CANCEL, "ОПЕРАЦИЯ ПРЕРВАНА");
            }
            Scenario::Decline => {
                say("СОЕДИНЕНИЕ С БАНКОМ");
                return self.fail(CODE_DECLINED, "ОТКАЗ: НЕДОСТАТОЧНО СРЕДСТВ");
            }
            Scenario::Hang => {
                // Past the kiosk's timeout; the kiosk is expected to kill us.
                std::thread::sleep(Duration::from_secs(self.cfg.hang_s));
            }
            _ => {}
        }
        if matches!(op, Op::Sale { .. }) {
            say("ВВЕДИТЕ ПИН-КОД");
            self.pause();
        }
        say("СОЕДИНЕНИЕ С БАНКОМ");
        self.pause();
        let (reference, auth_code, n) = match self.approve(&op) {
            Ok(v) => v,
            Err((code, text)) => return self.fail(code, &text),
        };
        if scenario == Scenario::CrashBeforeResult {
            std::process::abort();
        }
        let (text, lines, slip) = match op {
            Op::Health => ("ПИНПАД ГОТОВ".to_string(), vec![], String::new()),
            Op::Reconcile => (
                "СВЕРКА ИТОГОВ ВЫПОЛНЕНА".to_string(),
                vec![],
                format!("СВЕРКА ИТОГОВ\n{}\n", self.ledger().entries.len()),
            ),
            _ => (
                "ОДОБРЕНО".to_string(),
                self.detail_lines(&reference, &auth_code, n),
                self.slip(title, amount, &reference, &auth_code),
            ),
        };
        self.write_result("0", &text, &lines, &slip);
        if scenario == Scenario::CrashAfterResult {
            std::process::abort();
        }
        say(&text);
        say("return:0");
        0
    }
}

/// The stand-in's whole behaviour: `args` without the program name, `cwd` where `e` and `p`
/// go. Returns the exit code (0, as the real program does).
pub fn main_with(args: &[String], cwd: &Path) -> i32 {
    let config_path = std::env::var_os(CONFIG_ENV).map(PathBuf::from);
    let mut cfg = config_path
        .as_deref()
        .and_then(|p| std::fs::read(p).ok())
        .and_then(|b| serde_json::from_slice::<SbPilotSimConfig>(&b).ok())
        .unwrap_or_default();
    if let Some(s) = std::env::var(SCENARIO_ENV)
        .ok()
        .and_then(|s| s.parse().ok())
    {
        cfg.scenario = s;
    }
    let ledger_path = std::env::var_os(LEDGER_ENV)
        .map(PathBuf::from)
        .or_else(|| cfg.ledger.clone())
        .or_else(|| config_path.as_deref().map(ledger_path_for));
    let run = Run {
        cfg,
        cwd,
        ledger_path,
    };
    run.execute(parse_args(args))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_the_command_line() {
        assert_eq!(
            parse_args(&args(&["1", "84910"])),
            Op::Sale { amount: 84910 }
        );
        assert_eq!(parse_args(&args(&["8", "100"])), Op::Cancel { amount: 100 });
        assert_eq!(
            parse_args(&args(&["3", "100", "0", "QSELECT", "612300000001"])),
            Op::Refund {
                amount: 100,
                reference: Some("612300000001".into())
            }
        );
        assert_eq!(parse_args(&args(&["26"])), Op::Health);
        assert!(matches!(parse_args(&args(&["1"])), Op::Unknown(_)));
        assert_eq!("crash_after_result".parse(), Ok(Scenario::CrashAfterResult));
    }

    #[test]
    fn the_ledger_nets_voids_and_refunds() {
        let mut l = Ledger::default();
        let sale = |amount, status: &str, refunded| LedgerEntry {
            op: "sale".into(),
            amount,
            reference: "r".into(),
            auth_code: "a".into(),
            status: status.into(),
            refunded,
            original: None,
        };
        l.entries.push(sale(1000, "approved", 0));
        l.entries.push(sale(500, "voided", 0));
        l.entries.push(sale(700, "refunded", 200));
        assert_eq!(l.charged(), 1500);
    }
}
