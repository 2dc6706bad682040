//! Diagnostics and pre-flight checks, shared by the service menu, the wizard's connection test
//! and `kioskctl doctor`, so all three say the same thing in the same words.
//!
//! Each check returns [`CheckLine`]s: what was checked, what was found and, when something is
//! wrong, the fix. The checks work on parts (a POS adapter, a catalog, a journal file, a
//! folder) rather than on a running [`Engine`], so `doctor` can run them beside a running
//! kiosk without binding its ports or writing its menu snapshot; [`collect`] runs them over the
//! running engine for the service screen. [`export`] writes the "export diagnostics" zip.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kiosk_core::catalog::{Catalog, FaultKind};
use kiosk_core::checkout::CheckoutState;
use kiosk_core::order::PosInfo;
use kiosk_core::ports::{PaymentError, Pos};
use kiosk_core::view::{
    CheckLine, CheckStatus, DiagnosticsExport, DiagnosticsView, DiskDiagnostics,
    JournalDiagnostics, MenuDiagnostics, PaymentDiagnostics, PosDiagnostics,
};
use kiosk_core::PosError;

use crate::checkout::Checkouts;
use crate::config::{KioskConfig, PosKind};
use crate::engine::Engine;
use crate::journal::{CheckoutRecord, Journal};
use crate::secrets::{KeyringSecrets, SecretStore};

/// Free space below which the kiosk stops being healthy: the journal must always be writable.
pub const DISK_FAIL_BYTES: u64 = 100 * 1024 * 1024;
pub const DISK_WARN_BYTES: u64 = 500 * 1024 * 1024;
/// The longest any network check may take.
const NET_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum DiagnosticsError {
    #[error("cannot write the diagnostics file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is not a folder the diagnostics can be written to")]
    BadDestination(String),
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn rfc3339(unix: u64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp(unix as i64)
        .ok()?
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

// ---------------------------------------------------------------------------------------------
// Settings and secrets
// ---------------------------------------------------------------------------------------------

/// The settings file: readable, valid, with every problem's line.
pub fn check_settings(path: &Path) -> (CheckLine, Option<KioskConfig>) {
    match KioskConfig::load(path) {
        Ok(c) => (
            CheckLine::ok(
                "settings",
                "Settings file",
                format!("{} is valid", path.display()),
            ),
            Some(c),
        ),
        Err(e) => {
            let fix = if path.exists() {
                "correct the lines named above (or run the set-up wizard again)".to_string()
            } else {
                format!(
                    "run the set-up wizard (start the kiosk), or write {} (see README: settings)",
                    path.display()
                )
            };
            (
                CheckLine::fail("settings", "Settings file", e.to_string(), fix),
                None,
            )
        }
    }
}

/// The keyring and the entries the settings need.
pub fn check_secrets(
    config: &KioskConfig,
    store: &dyn SecretStore,
    keyring: Option<&KeyringSecrets>,
) -> Vec<CheckLine> {
    let mut out = Vec::new();
    if let Some(k) = keyring {
        let line = crate::secrets::keyring_check(k);
        let failed = line.failed();
        out.push(line);
        if failed {
            out.push(CheckLine::skipped(
                "keyring.entries",
                "POS secrets",
                "the keyring is not usable",
            ));
            return out;
        }
    }
    let mut wanted = vec![(config.pos.secret.as_str(), token_name(config.pos.kind))];
    if config.pos.kind == PosKind::Jupiter {
        wanted.push((
            config.pos.user_secret.as_str(),
            "Jupiter kiosk user's password",
        ));
    }
    for (entry, what) in wanted {
        out.push(match store.get(entry) {
            Ok(Some(_)) => CheckLine::ok(
                &format!("keyring.{entry}"),
                what,
                format!("set (keyring entry {entry:?})"),
            ),
            Ok(None) => CheckLine::fail(
                &format!("keyring.{entry}"),
                what,
                format!("not in the keyring (entry {entry:?})"),
                format!(
                    "enter it in the set-up wizard, or: kioskctl secret set {entry} (reads it from stdin)"
                ),
            ),
            Err(e) => CheckLine::fail(&format!("keyring.{entry}"), what, e.cause(), e.fix()),
        });
    }
    out
}

fn token_name(kind: PosKind) -> &'static str {
    match kind {
        PosKind::Procart => "ProCart token",
        PosKind::Jupiter => "Jupiter server id",
    }
}

// ---------------------------------------------------------------------------------------------
// POS
// ---------------------------------------------------------------------------------------------

/// What [`check_pos`] found.
pub struct PosCheck {
    pub lines: Vec<CheckLine>,
    pub info: Option<PosInfo>,
    pub error: Option<String>,
}

/// Reachability, versions, cash server, licence and token: one line each, each with its fix.
pub async fn check_pos(pos: &dyn Pos, url: &str) -> PosCheck {
    let procart = pos.kind() == "procart";
    let started = Instant::now();
    let answer = match tokio::time::timeout(NET_TIMEOUT, pos.ping()).await {
        Ok(r) => r,
        Err(_) => Err(PosError::Timeout {
            operation: "ping".into(),
        }),
    };
    let reach_fix = if procart {
        format!(
            "check the address ({url}: the ProCart gateway, usually http://HOST:11111), that the \
             ProCart service runs on that machine, and that this PC reaches it (network, firewall)"
        )
    } else {
        format!(
            "check the address ({url}: Jupiter's JPOS endpoint, e.g. http://HOST/jpos/index.php), \
             that the Jupiter server runs, and that this PC reaches it (network, firewall)"
        )
    };
    let token_fix = if procart {
        "the token is wrong or revoked: copy the kiosk's token from ProCart's settings and set it \
         again in the set-up wizard"
    } else {
        "the server id or the kiosk user's password is wrong: take them from Jupiter's settings \
         and set them again in the set-up wizard"
    };
    let mut lines = Vec::new();
    let info = match answer {
        Ok(info) => info,
        Err(e) => {
            let error = e.to_string();
            let ms = started.elapsed().as_millis();
            match &e {
                PosError::BadToken => {
                    lines.push(CheckLine::ok(
                        "pos.reachable",
                        "POS reachable",
                        "it answers",
                    ));
                    lines.push(CheckLine::fail(
                        "pos.token",
                        "Access token",
                        &error,
                        token_fix,
                    ));
                }
                PosError::NoLicence(m) => {
                    lines.push(CheckLine::ok(
                        "pos.reachable",
                        "POS reachable",
                        "it answers",
                    ));
                    lines.push(CheckLine::fail(
                        "pos.licence",
                        "Licence",
                        m,
                        "renew or activate the ProCart licence (r_keeper licence manager), then test again",
                    ));
                }
                PosError::CashServerDown(m) => {
                    lines.push(CheckLine::ok(
                        "pos.reachable",
                        "POS reachable",
                        "it answers",
                    ));
                    lines.push(CheckLine::fail(
                        "pos.cash_server",
                        "Cash server",
                        m,
                        "start the r_keeper cash server, and check the network between the ProCart gateway and it",
                    ));
                }
                PosError::Malformed(_) | PosError::Server { .. } => {
                    lines.push(CheckLine::fail(
                        "pos.reachable",
                        "POS reachable",
                        format!("the address answers, but not as the POS does: {error}"),
                        format!("is this the right address and port? {reach_fix}"),
                    ));
                }
                _ => lines.push(CheckLine::fail(
                    "pos.reachable",
                    "POS reachable",
                    format!("{error} (after {ms} ms)"),
                    reach_fix,
                )),
            }
            return PosCheck {
                lines,
                info: None,
                error: Some(error),
            };
        }
    };
    lines.push(CheckLine::ok(
        "pos.reachable",
        "POS reachable",
        format!("answered in {} ms", info.latency_ms),
    ));
    if procart {
        let versions = format!(
            "ProCart {}, r_keeper {}",
            info.gateway_version.as_deref().unwrap_or("?"),
            info.backend_version.as_deref().unwrap_or("?")
        );
        lines.push(
            if info.gateway_version.is_some() && info.backend_version.is_some() {
                CheckLine::ok("pos.versions", "Versions", versions)
            } else {
                CheckLine::warn(
                    "pos.versions",
                    "Versions",
                    versions,
                    "the gateway did not report its versions; update ProCart if it is older than the one the kiosk was tested with",
                )
            },
        );
        lines.push(match info.cash_server_available {
            Some(true) => CheckLine::ok("pos.cash_server", "Cash server", "reachable from ProCart"),
            Some(false) => CheckLine::fail(
                "pos.cash_server",
                "Cash server",
                "ProCart cannot reach the r_keeper cash server",
                "start the r_keeper cash server, and check the network between the ProCart gateway and it",
            ),
            None => CheckLine::skipped("pos.cash_server", "Cash server", "not reported"),
        });
        let until = info
            .licence_expires
            .as_deref()
            .map(|e| format!(" (until {e})"))
            .unwrap_or_default();
        lines.push(match info.licence_valid {
            Some(true) => CheckLine::ok("pos.licence", "Licence", format!("valid{until}")),
            Some(false) => CheckLine::fail(
                "pos.licence",
                "Licence",
                format!(
                    "not valid{until}{}",
                    info.licence_message
                        .as_deref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                ),
                "renew or activate the ProCart licence (r_keeper licence manager), then test again",
            ),
            None => CheckLine::skipped("pos.licence", "Licence", "not reported"),
        });
        lines.push(match info.token_valid {
            Some(false) => CheckLine::fail(
                "pos.token",
                "Access token",
                "ProCart does not accept the token",
                token_fix,
            ),
            _ => CheckLine::ok("pos.token", "Access token", "accepted"),
        });
    } else {
        lines.push(CheckLine::ok(
            "pos.versions",
            "Menu version (checkUpdate)",
            info.backend_version
                .clone()
                .unwrap_or_else(|| "answered".into()),
        ));
        lines.push(match info.token_valid {
            Some(false) => CheckLine::fail(
                "pos.token",
                "Server id and kiosk user",
                info.licence_message
                    .clone()
                    .unwrap_or_else(|| "refused".into()),
                token_fix,
            ),
            _ => CheckLine::ok("pos.token", "Server id and kiosk user", "accepted"),
        });
        lines.push(match info.cash_server_available {
            Some(false) => CheckLine::warn(
                "pos.workday",
                "Work day",
                "no work day (shift) is open",
                "open a work day in Jupiter: orders cannot be created without one",
            ),
            Some(true) => CheckLine::ok("pos.workday", "Work day", "open"),
            None => CheckLine::skipped("pos.workday", "Work day", "not reported"),
        });
    }
    PosCheck {
        lines,
        info: Some(info),
        error: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Menu pre-flight
// ---------------------------------------------------------------------------------------------

fn fault_fix(kind: FaultKind) -> &'static str {
    match kind {
        FaultKind::MissingPrice => "give these dishes a price in the POS price list of the kiosk's order categories, or take them off the kiosk menu",
        FaultKind::NegativePrice => "correct the price in the POS",
        FaultKind::DanglingSection => "the item points to a section that does not exist: move it to an existing section in the POS menu",
        FaultKind::SectionCycle => "these sections link to each other in a loop: remove one of the links in the POS menu layout",
        FaultKind::UnreachableSection => "no path from the menu's top reaches this section: link it from a visible section, or delete it",
        FaultKind::DanglingModifierGroup => "the dish names a modifier group that is not in the menu: fix or remove the link in the POS",
        FaultKind::ImpossibleModifierRule => "the group asks for more choices than it offers (or its minimum is above its maximum): fix the group's limits in the POS",
        FaultKind::DanglingComboChoice => "a combo offers a dish that is not on the menu: fix the combo in the POS",
        FaultKind::EmptyComboSlot => "a combo part has nothing to choose from: add choices in the POS, or remove the part",
        FaultKind::DuplicateId => "two items share one id: renumber one of them in the POS",
        FaultKind::MissingImage => "add a picture to these items in the POS; the kiosk shows a placeholder meanwhile",
        FaultKind::Malformed => "the POS sent entries the kiosk cannot read (see the detail); send the exported diagnostics to support",
    }
}

fn kind_name(kind: FaultKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{kind:?}"))
}

/// The menu pre-flight: whether the kiosk can show it, and each kind of catalog fault with the
/// items at fault and what to change in the POS.
pub fn check_menu(catalog: &Catalog) -> Vec<CheckLine> {
    let mut out = Vec::new();
    let summary = kiosk_core::view::MenuSummary::of(catalog);
    let sizes = format!(
        "menu {}: {} sections, {} dishes ({} not for sale now), {} modifier groups, {} combos",
        summary.version,
        summary.sections,
        summary.dishes,
        summary.out_of_stock,
        summary.modifier_groups,
        summary.combos
    );
    out.push(match crate::menu::check_usable(catalog) {
        Ok(()) => CheckLine::ok("menu.usable", "Menu", sizes),
        Err(e) => CheckLine::fail(
            "menu.usable",
            "Menu",
            format!("{e} ({sizes})"),
            "fill the kiosk's menu in the POS (the ProCart menu for its token; Jupiter: the layout of its terminal group)",
        ),
    });
    let mut by_kind: BTreeMap<String, (FaultKind, Vec<String>)> = BTreeMap::new();
    for f in &catalog.faults {
        by_kind
            .entry(kind_name(f.kind))
            .or_insert_with(|| (f.kind, Vec::new()))
            .1
            .push(format!("{}: {}", f.subject, f.message));
    }
    if by_kind.is_empty() {
        out.push(CheckLine::ok("menu.faults", "Menu faults", "none"));
    }
    for (name, (kind, items)) in by_kind {
        let mut detail = format!("{} item(s): ", items.len());
        detail.push_str(&items.iter().take(5).cloned().collect::<Vec<_>>().join("; "));
        if items.len() > 5 {
            detail.push_str(&format!("; and {} more", items.len() - 5));
        }
        out.push(CheckLine::warn(
            &format!("menu.{name}"),
            &format!("Menu: {}", name.replace('_', " ")),
            detail,
            fault_fix(kind),
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Payment
// ---------------------------------------------------------------------------------------------

/// Whether the payment provider answers: asks the status of an attempt that does not exist, a
/// read with no side effect that every provider supports.
pub async fn check_payment(
    config: &KioskConfig,
    secrets: &dyn SecretStore,
) -> (CheckLine, PaymentDiagnostics) {
    let name = config.payment.provider.clone();
    let diag = |status, detail: &str, latency_ms| PaymentDiagnostics {
        provider: name.clone(),
        status,
        detail: detail.to_string(),
        latency_ms,
    };
    if name == "counter" {
        let d = "pay at the counter: nothing to reach";
        return (
            CheckLine::ok("payment", "Payment provider", d),
            diag(CheckStatus::Ok, d, None),
        );
    }
    let data_dir = config
        .kiosk
        .data_dir
        .clone()
        .unwrap_or_else(crate::engine::default_data_dir);
    let provider = match crate::pos::build_provider_with_secrets(config, secrets, &data_dir) {
        Ok(p) => p,
        Err(e) => {
            let d = e.to_string();
            return (
                CheckLine::fail(
                    "payment",
                    "Payment provider",
                    &d,
                    "correct the [payment] settings, and set the provider's keys in the keyring",
                ),
                diag(CheckStatus::Fail, &d, None),
            );
        }
    };
    if name == "yookassa" {
        // YooKassa's status of an unknown attempt is answered from the kiosk's own records:
        // asking it would prove nothing. Only a payment reaches the API.
        let d = "the keys are in the keyring; YooKassa is reached only by a payment (the test sale in Settings)";
        return (
            CheckLine::ok("payment", "Payment provider", d),
            diag(CheckStatus::Ok, d, None),
        );
    }
    let started = Instant::now();
    let probe = format!("kiosk-diagnostics-{}", uuid::Uuid::new_v4().simple());
    let answer = tokio::time::timeout(NET_TIMEOUT, provider.status(&probe)).await;
    let ms = started.elapsed().as_millis() as u32;
    let where_ = config.payment.url.as_deref().unwrap_or("-");
    match answer {
        Ok(Ok(_)) => {
            let d = format!("{name} answers ({ms} ms)");
            (
                CheckLine::ok("payment", "Payment provider", &d),
                diag(CheckStatus::Ok, &d, Some(ms)),
            )
        }
        Ok(Err(PaymentError::Provider(m))) | Ok(Err(PaymentError::Malformed(m))) => {
            let d = format!("{name} answers ({ms} ms) with an error: {m}");
            (
                CheckLine::warn(
                    "payment",
                    "Payment provider",
                    &d,
                    "check the provider's settings and account",
                ),
                diag(CheckStatus::Warn, &d, Some(ms)),
            )
        }
        Ok(Err(e)) => {
            let d = e.to_string();
            (
                CheckLine::fail(
                    "payment",
                    "Payment provider",
                    &d,
                    format!(
                        "check payment.url ({where_}), that the payment terminal service runs, and that this PC reaches it"
                    ),
                ),
                diag(CheckStatus::Fail, &d, None),
            )
        }
        Err(_) => {
            let d = format!("{name} did not answer within {} s", NET_TIMEOUT.as_secs());
            (
                CheckLine::fail(
                    "payment",
                    "Payment provider",
                    &d,
                    format!("check payment.url ({where_}) and the network"),
                ),
                diag(CheckStatus::Fail, &d, None),
            )
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Journal
// ---------------------------------------------------------------------------------------------

/// States in which a checkout waits for the engine (not for the kitchen, not for staff).
fn in_doubt(s: CheckoutState) -> bool {
    matches!(
        s,
        CheckoutState::Priced
            | CheckoutState::Submitting
            | CheckoutState::Submitted
            | CheckoutState::PaymentStarted
            | CheckoutState::Paid
            | CheckoutState::Posting
            | CheckoutState::Refunding
    )
}

/// Health and backlog of an open journal.
pub fn journal_state(journal: &Journal) -> (Vec<CheckLine>, JournalDiagnostics) {
    let read = || -> Result<_, crate::journal::JournalError> {
        Ok((
            journal.unfinished()?,
            journal.in_state(CheckoutState::NeedsStaff)?,
            journal.recent(1000)?,
        ))
    };
    let (open, staff, recent) = match read() {
        Ok(x) => x,
        Err(e) => return journal_broken(e.to_string()),
    };
    let today = now_rfc3339();
    let today = today.get(..10).unwrap_or("");
    let today_n = recent
        .iter()
        .filter(|r| r.created_at.starts_with(today))
        .count() as u32;
    let doubt: Vec<&CheckoutRecord> = open.iter().filter(|r| in_doubt(r.state)).collect();
    let mut lines = vec![CheckLine::ok(
        "journal.health",
        "Order journal",
        format!(
            "readable; {today_n} checkouts today, {} being followed in the POS",
            open.len() - doubt.len()
        ),
    )];
    lines.push(if doubt.is_empty() {
        CheckLine::ok("journal.backlog", "Checkouts being finished", "none")
    } else {
        CheckLine::warn(
            "journal.backlog",
            "Checkouts being finished",
            format!(
                "{}: {}",
                doubt.len(),
                doubt
                    .iter()
                    .take(5)
                    .map(|r| format!("#{} {}", r.number, r.state.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "the kiosk finishes them when the POS and the payment provider answer; keep both reachable (kioskctl resume does it from a terminal)",
        )
    });
    lines.push(if staff.is_empty() {
        CheckLine::ok("journal.needs_staff", "Checkouts needing staff", "none")
    } else {
        CheckLine::warn(
            "journal.needs_staff",
            "Checkouts needing staff",
            format!(
                "{}: {}",
                staff.len(),
                staff
                    .iter()
                    .take(5)
                    .map(|r| format!("#{} {} {}", r.number, r.total, r.created_at))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "each may be a paid order the POS does not have: settle it with the customer and in the POS (kioskctl journal lists them)",
        )
    });
    let mut needs_staff: Vec<_> = staff.iter().map(Checkouts::view).collect();
    needs_staff.reverse();
    (
        lines,
        JournalDiagnostics {
            available: true,
            error: None,
            backlog: doubt.len() as u32,
            needs_staff,
            today: today_n,
        },
    )
}

fn journal_broken(e: String) -> (Vec<CheckLine>, JournalDiagnostics) {
    (
        vec![CheckLine::fail(
            "journal.health",
            "Order journal",
            &e,
            "do not delete it: it holds paid orders. Free disk space if it is full; otherwise copy journal.db* aside and send them with the exported diagnostics to support. The kiosk refuses payments until then",
        )],
        JournalDiagnostics {
            available: false,
            error: Some(e),
            backlog: 0,
            needs_staff: vec![],
            today: 0,
        },
    )
}

/// The journal file in `data_dir`, opened beside a running kiosk (SQLite WAL allows it). A
/// missing file is a kiosk that took no order yet, not a fault; it is not created here.
pub fn check_journal(data_dir: &Path) -> (Vec<CheckLine>, JournalDiagnostics) {
    let path = data_dir.join("journal.db");
    if !path.exists() {
        return (
            vec![CheckLine::ok(
                "journal.health",
                "Order journal",
                "no orders taken yet",
            )],
            JournalDiagnostics {
                available: true,
                error: None,
                backlog: 0,
                needs_staff: vec![],
                today: 0,
            },
        );
    }
    match Journal::open(&path) {
        Ok(j) => journal_state(&j),
        Err(e) => journal_broken(format!("{}: {e}", path.display())),
    }
}

// ---------------------------------------------------------------------------------------------
// Disk and data folder
// ---------------------------------------------------------------------------------------------

/// Free and total space of the file system holding `path`.
pub fn disk(path: &Path) -> Option<DiskDiagnostics> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut p = path.to_path_buf();
        while !p.exists() {
            p = p.parent()?.to_path_buf();
        }
        let c = std::ffi::CString::new(p.as_os_str().as_bytes()).ok()?;
        let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: `c` is a valid NUL-terminated path and `s` a writable statvfs.
        if unsafe { libc::statvfs(c.as_ptr(), &mut s) } != 0 {
            return None;
        }
        let frag = s.f_frsize as u64;
        Some(DiskDiagnostics {
            path: p.display().to_string(),
            free_bytes: s.f_bavail as u64 * frag,
            total_bytes: s.f_blocks as u64 * frag,
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

fn mib(b: u64) -> String {
    format!("{} MiB", b / (1024 * 1024))
}

pub fn check_disk(path: &Path) -> CheckLine {
    match disk(path) {
        None => CheckLine::skipped("disk", "Disk space", "not measured on this system"),
        Some(d) => {
            let detail = format!(
                "{} free of {} on {}",
                mib(d.free_bytes),
                mib(d.total_bytes),
                d.path
            );
            if d.free_bytes < DISK_FAIL_BYTES {
                CheckLine::fail(
                    "disk",
                    "Disk space",
                    detail,
                    "free disk space: below 100 MiB the order journal may fail to write and payments stop (old logs are in the data folder's logs/)",
                )
            } else if d.free_bytes < DISK_WARN_BYTES {
                CheckLine::warn("disk", "Disk space", detail, "free some disk space soon")
            } else {
                CheckLine::ok("disk", "Disk space", detail)
            }
        }
    }
}

/// The data folder exists (or can be made), is writable by this user, and is not writable by
/// others (it holds the journal and the PIN record).
pub fn check_data_dir(dir: &Path) -> CheckLine {
    let label = "Data folder";
    if let Err(e) = std::fs::create_dir_all(dir) {
        return CheckLine::fail(
            "data_dir",
            label,
            format!("{} cannot be created: {e}", dir.display()),
            format!(
                "create it for the kiosk's user: mkdir -p {0} && chown KIOSK_USER {0}, or set kiosk.data_dir",
                dir.display()
            ),
        );
    }
    let probe = dir.join(format!(".write-test-{}", std::process::id()));
    if let Err(e) = std::fs::write(&probe, b"ok") {
        return CheckLine::fail(
            "data_dir",
            label,
            format!("{} is not writable: {e}", dir.display()),
            format!(
                "give the kiosk's user the folder: chown -R KIOSK_USER {}",
                dir.display()
            ),
        );
    }
    let _ = std::fs::remove_file(&probe);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::metadata(dir) {
            let mode = m.permissions().mode() & 0o777;
            if mode & 0o022 != 0 {
                return CheckLine::warn(
                    "data_dir",
                    label,
                    format!(
                        "{} is writable by other users (mode {mode:o})",
                        dir.display()
                    ),
                    format!("chmod 700 {}", dir.display()),
                );
            }
        }
    }
    CheckLine::ok("data_dir", label, format!("{} is writable", dir.display()))
}

// ---------------------------------------------------------------------------------------------
// The service screen
// ---------------------------------------------------------------------------------------------

/// Everything the service screen's diagnostics page shows, from the running engine.
pub async fn collect(engine: &Engine, secrets: &dyn SecretStore) -> DiagnosticsView {
    let data_dir = engine
        .config
        .kiosk
        .data_dir
        .clone()
        .unwrap_or_else(crate::engine::default_data_dir);
    let mut checks = Vec::new();

    let pos = check_pos(engine.pos.as_ref(), &engine.config.pos.url).await;
    checks.extend(pos.lines.iter().cloned());

    let status = engine.menu.status();
    let current = engine.menu.current();
    if let Some(m) = &current {
        checks.extend(check_menu(&m.catalog));
    } else {
        checks.push(CheckLine::fail(
            "menu.usable",
            "Menu",
            status
                .last_error
                .clone()
                .unwrap_or_else(|| "no menu yet".into()),
            "make the POS reachable; the kiosk fetches the menu by itself",
        ));
    }
    if status.stale {
        checks.push(CheckLine::warn(
            "menu.age",
            "Menu age",
            format!(
                "the POS has not confirmed the menu for {} s: {}",
                status.age_s.unwrap_or(0),
                status.last_error.clone().unwrap_or_default()
            ),
            "make the POS reachable; the kiosk keeps showing the last good menu meanwhile",
        ));
    }
    let stats = engine.images.stats();
    if stats.failed > 0 {
        checks.push(CheckLine::warn(
            "menu.images",
            "Pictures",
            format!(
                "{} pictures could not be fetched or read ({} stored)",
                stats.failed, stats.blobs
            ),
            "check the picture links in the POS; the kiosk shows a placeholder for them",
        ));
    }

    let (pay_line, payment) = check_payment(&engine.config, secrets).await;
    checks.push(pay_line);
    let printer = engine.printing.as_ref().and_then(|p| p.settings().cloned());
    checks.extend(crate::printing::check_line(printer).await);

    let (journal_lines, journal) = match &engine.checkouts {
        Ok(c) => journal_state(&c.journal),
        Err(why) => journal_broken(why.clone()),
    };
    checks.extend(journal_lines);
    checks.push(check_disk(&data_dir));

    DiagnosticsView {
        version: env!("CARGO_PKG_VERSION").to_string(),
        generated_at: now_rfc3339(),
        kiosk_id: engine.config.kiosk.id.clone(),
        data_dir: data_dir.display().to_string(),
        pos: PosDiagnostics {
            kind: engine.config.pos.kind.as_str().to_string(),
            url: redact_url(&engine.config.pos.url),
            reachable: pos.info.is_some(),
            latency_ms: pos.info.as_ref().map(|i| i.latency_ms),
            info: pos.info,
            error: pos.error,
        },
        menu: MenuDiagnostics {
            version: status.version.clone(),
            source: status.source.map(|s| {
                match s {
                    crate::menu::MenuSource::Snapshot => "snapshot",
                    crate::menu::MenuSource::Pos => "pos",
                }
                .to_string()
            }),
            age_s: status.age_s,
            last_refresh_at: status.last_attempt_at.and_then(rfc3339),
            last_error: status.last_error.clone(),
            stale: status.stale,
            fault_count: current
                .as_ref()
                .map(|m| m.catalog.faults.len() as u32)
                .unwrap_or(0),
        },
        journal,
        payment,
        disk: disk(&data_dir),
        checks,
    }
}

/// What [`doctor`] found: every check, and what the export needs.
pub struct Doctor {
    pub checks: Vec<CheckLine>,
    pub config: Option<KioskConfig>,
    pub data_dir: PathBuf,
    pub pos: Option<PosDiagnostics>,
    pub catalog: Option<Catalog>,
    pub payment: Option<PaymentDiagnostics>,
    pub journal: JournalDiagnostics,
}

impl Doctor {
    /// No check failed (warnings allowed).
    pub fn ok(&self) -> bool {
        !self.checks.iter().any(CheckLine::failed)
    }

    /// The same findings as a diagnostics page (for the service screen of a kiosk whose engine
    /// could not start).
    pub fn view(&self) -> DiagnosticsView {
        let kiosk_id = self
            .config
            .as_ref()
            .map(|c| c.kiosk.id.clone())
            .unwrap_or_default();
        DiagnosticsView {
            version: env!("CARGO_PKG_VERSION").to_string(),
            generated_at: now_rfc3339(),
            kiosk_id,
            data_dir: self.data_dir.display().to_string(),
            pos: self.pos.clone().unwrap_or(PosDiagnostics {
                kind: String::new(),
                url: String::new(),
                reachable: false,
                latency_ms: None,
                info: None,
                error: Some("not checked: the settings cannot be used".into()),
            }),
            menu: MenuDiagnostics {
                version: self.catalog.as_ref().map(|c| c.version.clone()),
                source: self.catalog.as_ref().map(|_| "pos".to_string()),
                age_s: self.catalog.as_ref().map(|_| 0),
                last_refresh_at: self.catalog.as_ref().map(|_| now_rfc3339()),
                last_error: None,
                stale: false,
                fault_count: self
                    .catalog
                    .as_ref()
                    .map(|c| c.faults.len() as u32)
                    .unwrap_or(0),
            },
            journal: self.journal.clone(),
            payment: self.payment.clone().unwrap_or(PaymentDiagnostics {
                provider: String::new(),
                status: CheckStatus::Skipped,
                detail: "not checked".into(),
                latency_ms: None,
            }),
            disk: disk(&self.data_dir),
            checks: self.checks.clone(),
        }
    }
}

/// Every check from the settings file on, without a running kiosk: settings, keyring and POS
/// secrets, POS reachability and health, menu pre-flight, payment provider, journal health and
/// backlog, disk space, data folder. What `kioskctl doctor` prints.
pub async fn doctor(
    settings_path: &Path,
    secrets: &dyn SecretStore,
    keyring: Option<&KeyringSecrets>,
    data_dir: Option<PathBuf>,
) -> Doctor {
    let mut checks = Vec::new();
    let (line, config) = check_settings(settings_path);
    checks.push(line);
    let data_dir = data_dir
        .or_else(|| config.as_ref().and_then(|c| c.kiosk.data_dir.clone()))
        .unwrap_or_else(crate::engine::default_data_dir);
    let mut doc = Doctor {
        checks: Vec::new(),
        config: None,
        data_dir: data_dir.clone(),
        pos: None,
        catalog: None,
        payment: None,
        journal: JournalDiagnostics {
            available: false,
            error: None,
            backlog: 0,
            needs_staff: vec![],
            today: 0,
        },
    };
    match &config {
        None => {
            if let Some(k) = keyring {
                checks.push(crate::secrets::keyring_check(k));
            }
            for (id, label) in [
                ("pos.reachable", "POS reachable"),
                ("menu.usable", "Menu"),
                ("payment", "Payment provider"),
            ] {
                checks.push(CheckLine::skipped(id, label, "the settings cannot be used"));
            }
        }
        Some(c) => {
            let secret_lines = check_secrets(c, secrets, keyring);
            let secrets_ok = !secret_lines.iter().any(CheckLine::failed);
            checks.extend(secret_lines);
            let pos = if secrets_ok {
                crate::pos::build(c, secrets).map_err(|e| e.to_string())
            } else {
                Err("the POS secrets are not available".to_string())
            };
            match pos {
                Ok(pos) => {
                    let p = check_pos(pos.as_ref(), &c.pos.url).await;
                    let reachable = p.info.is_some();
                    checks.extend(p.lines.iter().cloned());
                    doc.pos = Some(PosDiagnostics {
                        kind: c.pos.kind.as_str().to_string(),
                        url: redact_url(&c.pos.url),
                        reachable,
                        latency_ms: p.info.as_ref().map(|i| i.latency_ms),
                        info: p.info,
                        error: p.error,
                    });
                    if reachable {
                        match tokio::time::timeout(NET_TIMEOUT * 3, pos.menu()).await {
                            Ok(Ok(catalog)) => {
                                checks.extend(check_menu(&catalog));
                                doc.catalog = Some(catalog);
                            }
                            Ok(Err(e)) => checks.push(CheckLine::fail(
                                "menu.usable",
                                "Menu",
                                e.to_string(),
                                "check the kiosk's menu in the POS (ProCart: the menu of its token; Jupiter: the layout of its terminal group)",
                            )),
                            Err(_) => checks.push(CheckLine::fail(
                                "menu.usable",
                                "Menu",
                                "the POS did not send the menu within 30 s",
                                "check the POS's load and the network",
                            )),
                        }
                    } else {
                        checks.push(CheckLine::skipped(
                            "menu.usable",
                            "Menu",
                            "the POS is not reachable",
                        ));
                    }
                }
                Err(why) => {
                    checks.push(CheckLine::skipped("pos.reachable", "POS reachable", &why));
                    checks.push(CheckLine::skipped("menu.usable", "Menu", &why));
                }
            }
            let (line, payment) = check_payment(c, secrets).await;
            checks.push(line);
            doc.payment = Some(payment);
            let printer = c.printer.as_ref().and_then(|p| p.settings());
            checks.extend(crate::printing::check_line(printer).await);
        }
    }
    checks.push(check_data_dir(&data_dir));
    let (lines, journal) = check_journal(&data_dir);
    checks.extend(lines);
    doc.journal = journal;
    checks.push(check_disk(&data_dir));
    doc.checks = checks;
    doc.config = config;
    doc
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

/// `http://user:pass@host/...` without the user and password.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://<redacted>@{host}{path}"),
        None => url.to_string(),
    }
}

/// The settings as they go into the export: no credentials in addresses. (Secrets are never
/// in the settings; this catches a password typed into a URL.)
pub fn redacted_settings(config: &KioskConfig) -> String {
    let mut c = config.clone();
    c.pos.url = redact_url(&c.pos.url);
    c.payment.url = c.payment.url.as_deref().map(redact_url);
    if let Some(cb) = c.callbacks.as_mut() {
        cb.public_url = cb.public_url.as_deref().map(redact_url);
    }
    crate::logs::scrub(&c.to_toml())
}

/// The journal summary for support: states, totals and POS ids, without payment receipts.
pub fn journal_summary(data_dir: &Path) -> serde_json::Value {
    let path = data_dir.join("journal.db");
    if !path.exists() {
        return serde_json::json!({ "checkouts": [], "note": "no journal yet" });
    }
    match Journal::open(&path).and_then(|j| j.recent(500)) {
        Ok(records) => serde_json::json!({
            "checkouts": records.iter().map(|r| serde_json::json!({
                "checkout_id": r.id,
                "number": r.number,
                "created_at": r.created_at,
                "state": r.state,
                "order_type": r.order_type,
                "total": r.total,
                "provider": r.provider,
                "external_id": r.external_id,
                "paid": r.receipt.is_some(),
                "pay_at_counter": r.pay_at_counter,
                "pos_order_id": r.pos_order_id,
                "pos_status": r.pos_status,
                "notice": r.notice,
                "post_attempts": r.post_attempts,
            })).collect::<Vec<_>>()
        }),
        Err(e) => serde_json::json!({ "error": e.to_string() }),
    }
}

/// Writes the "export diagnostics" zip into `dest` (a folder: the data folder's `exports/`, or
/// a USB stick): the diagnostics page, the settings without credentials, the catalog fault
/// report, the journal summary and the log files. Every text is scrubbed of registered secrets.
pub fn export(
    dest: &Path,
    view: &DiagnosticsView,
    config: Option<&KioskConfig>,
    catalog: Option<&Catalog>,
    data_dir: &Path,
    log_dir: &Path,
) -> Result<DiagnosticsExport, DiagnosticsError> {
    if !dest.is_absolute() {
        return Err(DiagnosticsError::BadDestination(dest.display().to_string()));
    }
    std::fs::create_dir_all(dest).map_err(|source| DiagnosticsError::Write {
        path: dest.to_path_buf(),
        source,
    })?;
    let stamp = view
        .generated_at
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(15)
        .collect::<String>();
    let id: String = view
        .kiosk_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let path = dest.join(format!("kiosk-diagnostics-{id}-{stamp}.zip"));
    let werr = |source: std::io::Error| DiagnosticsError::Write {
        path: path.clone(),
        source,
    };
    let file = std::fs::File::create(&path).map_err(werr)?;
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o600);
    let mut files = Vec::new();
    let mut add = |name: &str, text: String| -> Result<(), DiagnosticsError> {
        zip.start_file(name, opts)
            .map_err(|e| werr(std::io::Error::other(e)))?;
        zip.write_all(crate::logs::scrub(&text).as_bytes())
            .map_err(werr)?;
        files.push(name.to_string());
        Ok(())
    };
    add(
        "diagnostics.json",
        serde_json::to_string_pretty(view).unwrap_or_default(),
    )?;
    if let Some(c) = config {
        add("settings.toml", redacted_settings(c))?;
    }
    let faults = match catalog {
        Some(c) => serde_json::json!({
            "version": c.version,
            "preflight": check_menu(c),
            "faults": c.faults,
        }),
        None => serde_json::json!({ "note": "no menu loaded" }),
    };
    add(
        "menu-faults.json",
        serde_json::to_string_pretty(&faults).unwrap_or_default(),
    )?;
    add(
        "journal.json",
        serde_json::to_string_pretty(&journal_summary(data_dir)).unwrap_or_default(),
    )?;
    for log in crate::logs::files(log_dir) {
        let name = format!(
            "logs/{}",
            log.file_name().unwrap_or_default().to_string_lossy()
        );
        // A log is at most a few MiB; reading it whole keeps the scrub simple.
        let text = String::from_utf8_lossy(&std::fs::read(&log).map_err(werr)?).into_owned();
        add(&name, text)?;
    }
    zip.finish().map_err(|e| werr(std::io::Error::other(e)))?;
    let bytes = std::fs::metadata(&path).map_err(werr)?.len();
    tracing::info!(path = %path.display(), bytes, "diagnostics exported");
    Ok(DiagnosticsExport {
        path: path.display().to_string(),
        bytes,
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_addresses_are_redacted() {
        assert_eq!(
            redact_url("http://admin:hunter2@10.0.0.5:11111/api"),
            "http://<redacted>@10.0.0.5:11111/api"
        );
        assert_eq!(redact_url("http://10.0.0.5:11111"), "http://10.0.0.5:11111");
        assert_eq!(redact_url("http://h/a@b"), "http://h/a@b");
    }

    #[test]
    fn data_dir_checks_say_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let line = check_data_dir(&dir.path().join("kiosk"));
        assert_eq!(line.status, CheckStatus::Ok, "{line:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let open = dir.path().join("open");
            std::fs::create_dir(&open).unwrap();
            std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
            let line = check_data_dir(&open);
            assert_eq!(line.status, CheckStatus::Warn, "{line:?}");
            assert!(line.fix.unwrap().contains("chmod 700"));
        }
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        let line = check_data_dir(&file.join("sub"));
        assert!(line.failed(), "{line:?}");
    }

    #[test]
    fn disk_space_is_measured() {
        let d = disk(Path::new("/")).unwrap();
        assert!(d.total_bytes > 0 && d.free_bytes <= d.total_bytes);
        assert_ne!(
            check_disk(Path::new("/nonexistent/dir")).status,
            CheckStatus::Skipped
        );
    }

    #[test]
    fn a_missing_journal_is_not_a_fault_and_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let (lines, d) = check_journal(dir.path());
        assert!(lines.iter().all(|l| l.status == CheckStatus::Ok));
        assert!(d.available);
        assert!(!dir.path().join("journal.db").exists());
    }

    #[test]
    fn a_damaged_journal_fails_with_a_fix_that_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("journal.db"), vec![0x42; 8192]).unwrap();
        let (lines, d) = check_journal(dir.path());
        assert!(lines[0].failed(), "{lines:?}");
        assert!(lines[0].fix.as_deref().unwrap().contains("do not delete"));
        assert!(!d.available);
    }
}
