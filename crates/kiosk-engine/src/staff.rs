//! Staff mode: what a member of staff on a tablet sees and does, on either POS.
//!
//! [`StaffDesk`] sits beside the customer's checkout on the same engine and journal:
//! - **Login** (`login`): r_keeper has no staff login to ask, so its PINs are the kiosk's own
//!   (argon2id hashes in `staff.toml`, [`settings`]); Jupiter decides itself through
//!   `get_user_id` (password or card track). Wrong attempts lock the login for a while
//!   ([`session`]); a session ends after `idle_logout_s` without a staff action or touch (the
//!   screens report touches through `session`; their own polling of the list does not count).
//! - **Orders** (`orders`): the kiosk's checkouts from the journal and the POS's open orders,
//!   merged, with status, age and total; **problems first**: checkouts waiting for staff,
//!   refunds in progress, totals the POS disagrees with, orders to be paid at the counter still
//!   unpaid, orders the kiosk is still trying to send. Each row lists the actions that fit it
//!   now, so the screens never decide that themselves.
//! - **Actions**: retry sending (reconcile first, and send only where that cannot make a second
//!   order), mark handled, refund through the provider that took the money, print the order
//!   number, and the POS's own order actions behind [`StaffPos`]: Jupiter's lock / add dishes /
//!   bill / loyalty client ([`jupiter`]), ProCart's close / print_info ([`procart`]).
//! - **Accountability**: every action is written to the journal (who, when, what) *before* its
//!   side effect, and its result after; an order's history merges these with the checkout's own
//!   steps.
//!
//! Why a separate POS adapter instance ([`build_pos`]) instead of the engine's `Arc<dyn Pos>`:
//! the staff actions are not part of the `Pos` port (a kiosk never edits or locks orders), and
//! the port cannot be downcast. The customer's port is still what retry-send uses, so a resend
//! goes through exactly the code the checkout uses.

mod actions;
pub mod jupiter;
mod list;
pub mod procart;
pub mod session;
pub mod settings;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use kiosk_core::cart::{CartLine, OrderType};
use kiosk_core::checkout::CheckoutState;
use kiosk_core::error::{ErrorCode, IpcError};
use kiosk_core::order::PosOrder;
use kiosk_core::ports::PaymentError;
use kiosk_core::pricing::Adjustment;
use kiosk_core::view::{
    CheckoutNotice, LoyaltyClientView, StaffCapabilities, StaffCredential, StaffEvent,
    StaffLoginInfo, StaffLoginMethod, StaffLoginVerdict, StaffMemberView, StaffOrderRef,
    StaffOrderRow, StaffOutcome, StaffSession,
};
use kiosk_core::{Money, PosError};
use pos_jupiter::Secret;
use tokio::sync::broadcast;

use crate::checkout::Checkouts;
use crate::config::{KioskConfig, PosKind};
use crate::engine::Engine;
use crate::journal::{CheckoutRecord, JournalError, NewStaffAction};
use crate::secrets::SecretStore;
use crate::tracker::same_id;

pub use session::{StaffClock, StaffIdentity};
pub use settings::{StaffSettings, STAFF_FILE};

use session::{LockoutPolicy, Session, Sessions};

/// A checkout still `Posting` after this long is shown as stuck.
const STUCK_AFTER_S: u64 = 120;
/// How many of the journal's newest checkouts the list looks at.
const RECENT_LIMIT: u32 = 500;

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("not logged in, or the session ended: log in again")]
    NotAuthorized,
    #[error("staff login is not available: {0}")]
    NotConfigured(String),
    #[error("the staff settings cannot be used: {0}")]
    Settings(String),
    #[error("{pos} has no {action}")]
    NotSupported {
        action: &'static str,
        pos: &'static str,
    },
    /// The action does not fit this order now; the message says why.
    #[error("{0}")]
    NotApplicable(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("another staff action on this order is still running")]
    Busy,
    /// The POS refused the login (wrong password or card).
    #[error("wrong password or card")]
    WrongCredential,
    #[error(transparent)]
    Pos(#[from] PosError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("the refund did not go through: {0}")]
    Payment(#[from] PaymentError),
    #[error("the refund was refused: {0}")]
    RefundFailed(String),
    #[error("the printer failed: {0}")]
    Printer(String),
}

impl From<StaffError> for IpcError {
    fn from(e: StaffError) -> IpcError {
        let code = match &e {
            StaffError::NotAuthorized => ErrorCode::NotAuthorized,
            StaffError::NotSupported { .. }
            | StaffError::NotApplicable(_)
            | StaffError::Busy
            | StaffError::WrongCredential => ErrorCode::BadInput,
            StaffError::NotFound(_) | StaffError::Journal(JournalError::Missing(_)) => {
                ErrorCode::NotFound
            }
            StaffError::Pos(p) => return IpcError::from(p.clone()),
            StaffError::Journal(_) => ErrorCode::JournalUnavailable,
            StaffError::Payment(_) | StaffError::RefundFailed(_) => ErrorCode::PaymentFailed,
            // The printer's own words say what is wrong; the alert above the list says it too.
            StaffError::Printer(_) => ErrorCode::PrinterUnavailable,
            StaffError::NotConfigured(_) | StaffError::Settings(_) => ErrorCode::Internal,
        };
        IpcError::new(code, e.to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// The POS-specific part
// ---------------------------------------------------------------------------------------------

/// A staff login the POS accepted.
#[derive(Debug, Clone)]
pub struct PosLogin {
    pub user: Secret,
    /// A stable, non-secret id for the user (see [`jupiter::user_key`]).
    pub key: String,
    pub warning: Option<String>,
}

/// An order as the POS lists it, with what the list adds to [`PosOrder`].
#[derive(Debug, Clone, PartialEq)]
pub struct PosRow {
    pub order: PosOrder,
    /// `None` when the POS does not say (Jupiter's list has no payments).
    pub paid: Option<Money>,
    pub opened_at: Option<String>,
    pub age_s: Option<u64>,
}

/// The POS's copy of one order (a Jupiter lock or the answer to an edit).
#[derive(Debug, Clone, PartialEq)]
pub struct PosCopy {
    pub order: PosOrder,
    pub client: Option<LoyaltyClientView>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LockAnswer {
    Locked(Box<PosCopy>),
    /// The POS said no (another workstation edits it, the bill is printed, it is closed);
    /// Jupiter's own words.
    Refused {
        message: String,
    },
    /// Jupiter answers a lock of an order it does not have with success and no order.
    NotInPos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClientAnswer {
    pub copy: PosCopy,
    pub discounts: Vec<Adjustment>,
    pub total_before: Money,
}

/// A payment recorded with a ProCart `/close`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosePayment {
    pub tender: String,
    pub amount: Money,
    pub transaction_id: Option<String>,
    pub auth_code: Option<String>,
    pub card_mask: Option<String>,
    pub paid_at: Option<String>,
}

/// The order actions that differ by POS. Everything has a default that says the POS has no
/// such thing, so each adapter implements only what its POS offers.
#[async_trait]
pub trait StaffPos: Send + Sync {
    fn kind(&self) -> &'static str;

    fn capabilities(&self) -> StaffCapabilities;

    /// How staff log in: [`StaffLoginMethod::Pin`] means the kiosk's own PINs.
    fn login_methods(&self) -> Vec<StaffLoginMethod>;

    /// Checks a password or card track with the POS.
    async fn login(&self, _secret: &str) -> Result<PosLogin, StaffError> {
        Err(self.unsupported("staff login"))
    }

    /// The POS's orders: this staff member's open orders and what it says of the kiosk's
    /// (`kiosk_ids`, the POS ids of the kiosk's checkouts). Closed ones may be included.
    async fn orders(
        &self,
        user: Option<&Secret>,
        kiosk_ids: &[String],
    ) -> Result<Vec<PosRow>, StaffError>;

    /// The last copy of the order the POS gave this kiosk, if any.
    fn copy(&self, _pos_order_id: &str) -> Option<PosCopy> {
        None
    }

    async fn lock(&self, _user: &Secret, _pos_order_id: &str) -> Result<LockAnswer, StaffError> {
        Err(self.unsupported("order locks"))
    }

    async fn unlock(&self, _user: &Secret, _pos_order_id: &str) -> Result<(), StaffError> {
        Err(self.unsupported("order locks"))
    }

    async fn add_dishes(
        &self,
        _user: &Secret,
        _pos_order_id: &str,
        _lines: &[CartLine],
    ) -> Result<PosCopy, StaffError> {
        Err(self.unsupported("adding dishes"))
    }

    async fn print_bill(&self, _user: &Secret, _pos_order_id: &str) -> Result<PosCopy, StaffError> {
        Err(self.unsupported("bill printing"))
    }

    async fn add_client(
        &self,
        _user: &Secret,
        _pos_order_id: &str,
        _code: &str,
    ) -> Result<ClientAnswer, StaffError> {
        Err(self.unsupported("loyalty clients"))
    }

    async fn close(
        &self,
        _pos_order_id: &str,
        _payment: Option<ClosePayment>,
    ) -> Result<PosOrder, StaffError> {
        Err(self.unsupported("closing orders"))
    }

    async fn print_info(&self, _pos_order_id: &str) -> Result<String, StaffError> {
        Err(self.unsupported("print_info"))
    }

    fn unsupported(&self, action: &'static str) -> StaffError {
        StaffError::NotSupported {
            action,
            pos: if self.kind() == "jupiter" {
                "Jupiter"
            } else {
                "ProCart"
            },
        }
    }
}

/// Builds the staff side of the POS the settings name, with the same secrets as the engine.
pub fn build_pos(
    config: &KioskConfig,
    secrets: &dyn SecretStore,
) -> Result<Arc<dyn StaffPos>, StaffError> {
    let secret = secrets
        .get(&config.pos.secret)
        .map_err(|e| StaffError::NotConfigured(e.to_string()))?
        .ok_or_else(|| StaffError::NotConfigured("no POS token in the keyring".into()))?;
    match config.pos.kind {
        PosKind::Procart => {
            let cfg = pos_procart::ProcartConfig::new(
                crate::pos::procart_base(&config.pos.url),
                Some(secret),
            );
            let client = pos_procart::ProcartClient::new(cfg)?;
            Ok(Arc::new(procart::ProcartStaff::new(client)))
        }
        PosKind::Jupiter => {
            // Its own adapter with the kiosk's credentials: the kiosk user polls the kiosk's
            // orders, and the menu cache prices the dishes staff add.
            let password = secrets
                .get(&config.pos.user_secret)
                .map_err(|e| StaffError::NotConfigured(e.to_string()))?
                .ok_or_else(|| {
                    StaffError::NotConfigured("no Jupiter user password in the keyring".into())
                })?;
            let mut cfg = pos_jupiter::JupiterConfig::new(
                config.pos.url.trim().to_string(),
                Secret::new(secret),
                pos_jupiter::UserCredentials::Password(Secret::new(password)),
            );
            cfg.payment_types = vec![pos_jupiter::PaymentTypeConfig {
                uid: config.payment.tender.clone(),
                name: config
                    .payment
                    .tender_name
                    .clone()
                    .unwrap_or_else(|| config.payment.tender.clone()),
                cash: false,
            }];
            let pos = pos_jupiter::JupiterPos::new(cfg)
                .map_err(|e| StaffError::NotConfigured(e.to_string()))?;
            Ok(Arc::new(jupiter::JupiterStaff::new(pos)))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Printing the order number (filled in by the printer integration)
// ---------------------------------------------------------------------------------------------

/// What goes on an order-number slip.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberTicket {
    pub number: String,
    pub restaurant: Option<String>,
    pub order_type: Option<OrderType>,
    pub total: Money,
    /// RFC 3339, UTC.
    pub at: String,
    /// The kiosk's checkout, when the order is one of this kiosk's: its whole slip is printed
    /// again.
    pub checkout_id: Option<String>,
    /// Who asked, for the print's journal line.
    pub staff: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintResult {
    Printed,
    /// Nothing was printed, and why (no printer configured).
    NotPrinted {
        reason: String,
    },
}

/// The hook the receipt-printer integration implements.
#[async_trait]
pub trait NumberPrinter: Send + Sync {
    /// Whether printing can work at all (the screens grey the button out otherwise).
    fn configured(&self) -> bool;
    async fn print_number(&self, ticket: &NumberTicket) -> Result<PrintResult, String>;
}

/// The printer until the printer integration provides one: says so, never pretends.
pub struct NoPrinter;

#[async_trait]
impl NumberPrinter for NoPrinter {
    fn configured(&self) -> bool {
        false
    }

    async fn print_number(&self, _ticket: &NumberTicket) -> Result<PrintResult, String> {
        Ok(PrintResult::NotPrinted {
            reason: "no printer is configured on this kiosk".into(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The desk
// ---------------------------------------------------------------------------------------------

/// What a staff action is on. The journal files each action under the kiosk's checkout and
/// the POS order both, so either's history shows it.
enum On<'a> {
    /// One of the kiosk's checkouts (and its POS order, once it has one).
    Checkout(&'a CheckoutRecord),
    /// A POS order (and the kiosk's checkout of it, when it is one of the kiosk's).
    PosOrder(&'a str),
    /// An order as the list shows it.
    Row(&'a StaffOrderRow),
}

/// A Jupiter edit lock taken through this kiosk.
#[derive(Debug, Clone)]
struct Holder {
    session: String,
    who: StaffIdentity,
    since: Duration,
}

pub struct StaffDesk {
    engine: Arc<Engine>,
    checkouts: Arc<Checkouts>,
    pos: Arc<dyn StaffPos>,
    settings_path: PathBuf,
    settings: RwLock<StaffSettings>,
    /// Why the last read of the settings file failed (the last good settings stay in force).
    settings_problem: RwLock<Option<String>>,
    sessions: Sessions,
    /// Locks by normalised POS order id.
    locks: Mutex<HashMap<String, Holder>>,
    /// Checkouts with a staff action running: two tablets must not refund or resend the same
    /// checkout at once.
    busy: Mutex<HashSet<String>>,
    printer: Arc<dyn NumberPrinter>,
    events: broadcast::Sender<StaffEvent>,
    revision: AtomicU64,
    /// What the POS listed at the last poll, to tell the screens only about changes.
    last_poll: Mutex<Option<Vec<(String, String, Money)>>>,
}

/// Removes a checkout from the busy set when the action ends, however it ends.
struct BusyGuard<'a> {
    desk: &'a StaffDesk,
    id: String,
}

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        self.desk
            .busy
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
    }
}

/// POS ids compare without braces and case (r_keeper GUIDs come both ways).
fn norm(id: &str) -> String {
    id.trim()
        .trim_matches(|c| c == '{' || c == '}')
        .to_ascii_lowercase()
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn parse_rfc3339(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

/// Seconds since an RFC 3339 instant.
fn age_since(at: &str) -> Option<u64> {
    let t = parse_rfc3339(at)?;
    let d = time::OffsetDateTime::now_utc() - t;
    Some(d.whole_seconds().max(0) as u64)
}

fn notice_reason(n: &Option<CheckoutNotice>) -> String {
    match n {
        Some(CheckoutNotice::AskStaff { reason })
        | Some(CheckoutNotice::Refunding { reason })
        | Some(CheckoutNotice::Refunded { reason }) => reason.clone(),
        Some(CheckoutNotice::PaidSending) => "paid; the POS has not confirmed the order".into(),
        None => String::new(),
    }
}

/// What came of an action, in words, and whether it happened (`false`: nothing was printed,
/// the lock was refused, the POS has no such order). The journal line written after every
/// action and `kioskctl staff` say it the same way.
pub fn outcome_summary(o: &StaffOutcome) -> (bool, String) {
    let text = match o {
        StaffOutcome::Sent {
            pos_order_id,
            number,
        } => format!(
            "sent: POS order {pos_order_id}, number {}",
            number.as_deref().unwrap_or("-")
        ),
        StaffOutcome::AlreadyInPos { order, note } => format!(
            "not sent: the POS has order {} ({}, total {}, paid {}); {note}",
            order.pos_order_id,
            order.status.as_str(),
            order.total,
            order.paid
        ),
        StaffOutcome::StillSending { attempts } => format!(
            "not sent: the kiosk is still sending it ({attempts} attempts) and the POS does not have it yet"
        ),
        StaffOutcome::Handled => "handled".into(),
        StaffOutcome::Refunded { amount, reference } => {
            format!("refunded {amount}, reference {reference}")
        }
        StaffOutcome::RefundPending => {
            "refund accepted; the provider has not confirmed it yet".into()
        }
        StaffOutcome::Printed => "printed".into(),
        StaffOutcome::NoPrinter { reason } => return (false, format!("not printed: {reason}")),
        StaffOutcome::Locked { .. } => "locked".into(),
        StaffOutcome::LockRefused { held_by, message } => {
            return (
                false,
                match held_by {
                    Some(h) => format!("refused: the order is locked by {h}: {message}"),
                    None => format!("refused by the POS: {message}"),
                },
            )
        }
        StaffOutcome::NotInPos => return (false, "the POS has no such order".into()),
        StaffOutcome::Unlocked => "unlocked".into(),
        StaffOutcome::Updated { order } => format!("updated: now total {}", order.row.total),
        StaffOutcome::ClientAdded {
            client,
            discounts,
            total_before,
            total_after,
            ..
        } => format!(
            "client {} added, {} discounts: total {total_before} -> {total_after}",
            client.as_ref().map(|c| c.name.as_str()).unwrap_or("-"),
            discounts.len()
        ),
        StaffOutcome::Closed { order } => format!(
            "order {} is {} (total {}, paid {})",
            order.pos_order_id,
            order.status.as_str(),
            order.total,
            order.paid
        ),
        // The comment itself may carry guests' details: the journal keeps its length only.
        StaffOutcome::PrintInfo { comment } => {
            format!("comment read: {} characters", comment.chars().count())
        }
    };
    (true, text)
}

/// What an action left, for the journal line written after it.
fn result_detail(r: &Result<StaffOutcome, StaffError>) -> (bool, String) {
    match r {
        Ok(o) => outcome_summary(o),
        Err(e) => (false, e.to_string()),
    }
}

impl StaffDesk {
    /// The desk over `engine`, with the staff side of the POS and the staff settings.
    pub fn new(
        engine: Arc<Engine>,
        pos: Arc<dyn StaffPos>,
        settings_path: PathBuf,
    ) -> Result<StaffDesk, StaffError> {
        let checkouts = engine.checkouts.clone().map_err(|why| {
            StaffError::NotConfigured(format!(
                "the order journal cannot be used, and every staff action is recorded there: {why}"
            ))
        })?;
        let (settings, problem) = match StaffSettings::load(&settings_path) {
            Ok(s) => (s, None),
            Err(e) => (StaffSettings::default(), Some(e.to_string())),
        };
        let (events, _) = broadcast::channel(64);
        // The kiosk's receipt printer prints the numbers and slips staff ask for.
        let printer: Arc<dyn NumberPrinter> = match &engine.printing {
            Some(p) => p.clone(),
            None => Arc::new(NoPrinter),
        };
        Ok(StaffDesk {
            engine,
            checkouts,
            pos,
            settings_path,
            settings: RwLock::new(settings),
            settings_problem: RwLock::new(problem),
            sessions: Sessions::new(session::system_clock()),
            locks: Mutex::new(HashMap::new()),
            busy: Mutex::new(HashSet::new()),
            printer,
            events,
            revision: AtomicU64::new(1),
            last_poll: Mutex::new(None),
        })
    }

    /// The desk as the app builds it: the POS from the engine's settings, `staff.toml` in the
    /// data folder unless `settings_path` says otherwise.
    pub fn from_engine(
        engine: Arc<Engine>,
        secrets: &dyn SecretStore,
        settings_path: Option<PathBuf>,
    ) -> Result<StaffDesk, StaffError> {
        let pos = build_pos(&engine.config, secrets)?;
        let path = settings_path.unwrap_or_else(|| default_settings_path(&engine.config));
        StaffDesk::new(engine, pos, path)
    }

    /// Replaces the clock (tests move time by hand).
    pub fn with_clock(mut self, clock: StaffClock) -> StaffDesk {
        self.sessions = Sessions::new(clock);
        self
    }

    /// Plugs in the order-number printer.
    pub fn with_printer(mut self, printer: Arc<dyn NumberPrinter>) -> StaffDesk {
        self.printer = printer;
        self
    }

    pub fn settings_path(&self) -> &Path {
        &self.settings_path
    }

    pub fn subscribe(&self) -> broadcast::Receiver<StaffEvent> {
        self.events.subscribe()
    }

    fn bump(&self) {
        let revision = self.revision.fetch_add(1, Ordering::SeqCst) + 1;
        let _ = self.events.send(StaffEvent::OrdersChanged { revision });
    }

    /// Re-reads `staff.toml` (a member added meanwhile logs in without a restart); a file that
    /// cannot be read leaves the last good settings in force.
    fn reload(&self) -> StaffSettings {
        match StaffSettings::load(&self.settings_path) {
            Ok(s) => {
                *self.settings.write().unwrap_or_else(|p| p.into_inner()) = s.clone();
                *self
                    .settings_problem
                    .write()
                    .unwrap_or_else(|p| p.into_inner()) = None;
                s
            }
            Err(e) => {
                tracing::warn!(error = %e, "staff settings not reloaded");
                *self
                    .settings_problem
                    .write()
                    .unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
                self.settings()
            }
        }
    }

    fn settings(&self) -> StaffSettings {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn idle(&self) -> Duration {
        Duration::from_secs(u64::from(self.settings().idle_logout_s))
    }

    fn capabilities(&self) -> StaffCapabilities {
        StaffCapabilities {
            print_number: self.printer.configured(),
            ..self.pos.capabilities()
        }
    }

    // -- login ---------------------------------------------------------------------------------

    /// What the login screen shows before anyone types.
    pub fn login_info(&self) -> StaffLoginInfo {
        let s = self.reload();
        let methods = self.pos.login_methods();
        let pin = methods.contains(&StaffLoginMethod::Pin);
        let members: Vec<StaffMemberView> = if pin {
            s.members
                .iter()
                .filter(|m| m.pin_hash.is_some())
                .map(|m| StaffMemberView {
                    id: m.id.clone(),
                    name: m.name.clone(),
                })
                .collect()
        } else {
            vec![]
        };
        let problem = self
            .settings_problem
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .or_else(|| {
                (pin && members.is_empty()).then(|| {
                    "no staff PINs are set: add members with `kioskctl staff add-member`".into()
                })
            });
        StaffLoginInfo {
            enabled: problem.is_none(),
            staff_mode: s.staff_mode,
            pos: self.pos.kind().to_string(),
            methods,
            members,
            idle_logout_s: s.idle_logout_s,
            retry_in_s: self.sessions.retry_in_s(),
            problem,
        }
    }

    pub async fn login(
        &self,
        credential: StaffCredential,
    ) -> Result<StaffLoginVerdict, StaffError> {
        let settings = self.reload();
        let policy = LockoutPolicy {
            free: settings.max_failures,
            first: Duration::from_secs(u64::from(settings.lockout_s)),
        };
        let wait = self.sessions.retry_in_s();
        if wait > 0 {
            return Ok(StaffLoginVerdict::LockedOut { retry_in_s: wait });
        }
        let methods = self.pos.login_methods();
        let granted = match credential {
            StaffCredential::Pin { staff_id, pin } => {
                if !methods.contains(&StaffLoginMethod::Pin) {
                    return Err(StaffError::NotApplicable(format!(
                        "{} checks staff passwords itself: log in with the password or the card",
                        self.pos.kind()
                    )));
                }
                self.check_pin(&settings, staff_id.as_deref(), pin).await?
            }
            StaffCredential::Password { password: secret }
            | StaffCredential::Card { track: secret } => {
                if !methods.contains(&StaffLoginMethod::Password) {
                    return Err(StaffError::NotApplicable(
                        "r_keeper staff log in with their kiosk PIN".into(),
                    ));
                }
                if secret.is_empty() {
                    None
                } else {
                    match self.pos.login(&secret).await {
                        Ok(l) => {
                            let name = settings
                                .member(&l.key)
                                .map(|m| m.name.clone())
                                .unwrap_or_else(|| "Сотрудник".to_string());
                            Some((StaffIdentity { id: l.key, name }, Some(l.user), l.warning))
                        }
                        Err(StaffError::WrongCredential) => None,
                        Err(e) => return Err(e),
                    }
                }
            }
        };
        let Some((who, pos_user, warning)) = granted else {
            let f = self.sessions.failed(policy);
            tracing::warn!(retry_in_s = f.retry_in_s, "wrong staff login");
            return Ok(StaffLoginVerdict::Wrong {
                attempts_before_lockout: f.attempts_before_lockout,
                retry_in_s: f.retry_in_s,
            });
        };
        self.sessions.succeeded();
        let s = self.sessions.grant(who, pos_user, warning);
        tracing::info!(staff = %s.who.label(), "staff logged in");
        Ok(StaffLoginVerdict::Granted {
            session: self.session_view(&s, &settings),
        })
    }

    /// Checks a PIN against the member named, or against every member with a PIN. argon2 is
    /// slow on purpose, so it runs off the async threads.
    async fn check_pin(
        &self,
        settings: &StaffSettings,
        staff_id: Option<&str>,
        pin: String,
    ) -> Result<Option<(StaffIdentity, Option<Secret>, Option<String>)>, StaffError> {
        if settings::check_pin_shape(&pin).is_err() {
            // Wrong, and never hashed: a megabyte "PIN" costs nothing.
            return Ok(None);
        }
        let candidates: Vec<(String, String, String)> = settings
            .members
            .iter()
            .filter(|m| staff_id.is_none_or(|id| m.id == id))
            .filter_map(|m| {
                m.pin_hash
                    .clone()
                    .map(|h| (m.id.clone(), m.name.clone(), h))
            })
            .collect();
        let found = tokio::task::spawn_blocking(move || {
            candidates
                .into_iter()
                .find(|(_, _, h)| settings::verify_pin(&pin, h))
        })
        .await
        .map_err(|e| StaffError::Settings(format!("the PIN check failed: {e}")))?;
        Ok(found.map(|(id, name, _)| (StaffIdentity { id, name }, None, None)))
    }

    fn session_view(&self, s: &Session, settings: &StaffSettings) -> StaffSession {
        StaffSession {
            session: s.id.clone(),
            staff: StaffMemberView {
                id: s.who.id.clone(),
                name: s.who.name.clone(),
            },
            pos: self.pos.kind().to_string(),
            idle_logout_s: settings.idle_logout_s,
            capabilities: self.capabilities(),
            warning: s.warning.clone(),
        }
    }

    /// The session as it is, kept alive (the screens call it on every touch they care about).
    pub async fn session(&self, session: &str) -> Result<StaffSession, StaffError> {
        let s = self.authorize(session).await?;
        Ok(self.session_view(&s, &self.settings()))
    }

    /// Ends the session and releases the orders it locked.
    pub async fn logout(&self, session: &str) {
        if let Some(s) = self.sessions.end(session) {
            self.release(&s, "logout").await;
        }
    }

    /// Ends every session idle for too long, releasing its locks. Called before each staff
    /// command and by the background poll ([`StaffDesk::spawn_background`]).
    pub async fn sweep(&self) {
        for s in self.sessions.expire(self.idle()) {
            tracing::info!(staff = %s.who.label(), "staff session ended after inactivity");
            self.release(&s, "no activity").await;
        }
    }

    async fn release(&self, s: &Session, reason: &str) {
        let held: Vec<String> = {
            let locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
            locks
                .iter()
                .filter(|(_, h)| h.session == s.id)
                .map(|(k, _)| k.clone())
                .collect()
        };
        for key in held {
            let detail = format!("released: session ended ({reason})");
            let checkout = self.checkout_for_pos(&key).map(|r| r.id);
            let _ = self.record(
                &s.who,
                checkout.as_deref(),
                Some(&key),
                "unlock",
                Some(&detail),
            );
            if let Some(user) = &s.pos_user {
                // Best effort (reference §5.9): a lock left behind is cleared by the same user
                // locking again, or by staff in Jupiter.
                if let Err(e) = self.pos.unlock(user, &key).await {
                    tracing::warn!(order = %key, error = %e, "could not unlock an order");
                }
            }
            self.locks
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&key);
        }
        let _ = self.events.send(StaffEvent::SessionEnded {
            session: s.id.clone(),
            reason: reason.to_string(),
        });
        self.bump();
    }

    /// The session of a staff action or touch, kept alive for another `idle_logout_s`.
    async fn authorize(&self, session: &str) -> Result<Session, StaffError> {
        self.sweep().await;
        self.sessions.check(session, self.idle())
    }

    /// The session of a read the screens make by themselves (the list's live updates): checked
    /// but not kept alive, so a tablet left on the counter still logs out. Touches keep it
    /// alive through [`StaffDesk::session`].
    async fn authorize_read(&self, session: &str) -> Result<Session, StaffError> {
        self.sweep().await;
        self.sessions.peek(session, self.idle())
    }

    // -- the journal -----------------------------------------------------------------------------

    fn record(
        &self,
        who: &StaffIdentity,
        checkout_id: Option<&str>,
        pos_order_id: Option<&str>,
        action: &str,
        detail: Option<&str>,
    ) -> Result<(), StaffError> {
        self.checkouts
            .journal
            .record_staff_action(&NewStaffAction {
                checkout_id,
                pos_order_id,
                staff: &who.label(),
                action,
                detail,
            })?;
        Ok(())
    }

    /// Journals the action, runs it, journals what came of it, and tells the screens.
    async fn act<F>(
        &self,
        s: &Session,
        on: On<'_>,
        action: &str,
        detail: &str,
        run: F,
    ) -> Result<StaffOutcome, StaffError>
    where
        F: std::future::Future<Output = Result<StaffOutcome, StaffError>>,
    {
        let (checkout_id, pos_order_id) = match on {
            On::Checkout(r) => (Some(r.id.clone()), r.pos_order_id.clone()),
            On::PosOrder(p) => (self.checkout_for_pos(p).map(|r| r.id), Some(p.to_string())),
            On::Row(r) => (r.checkout_id.clone(), r.pos_order_id.clone()),
        };
        let (checkout_id, pos_order_id) = (checkout_id.as_deref(), pos_order_id.as_deref());
        self.record(&s.who, checkout_id, pos_order_id, action, Some(detail))?;
        let result = run.await;
        let (ok, text) = result_detail(&result);
        let suffix = if ok { "ok" } else { "failed" };
        if let Err(e) = self.record(
            &s.who,
            checkout_id,
            pos_order_id,
            &format!("{action}.{suffix}"),
            Some(&text),
        ) {
            tracing::error!(error = %e, action, "the result of a staff action was not journaled");
        }
        self.bump();
        result
    }

    fn busy(&self, checkout_id: &str) -> Result<BusyGuard<'_>, StaffError> {
        let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        if !busy.insert(checkout_id.to_string()) {
            return Err(StaffError::Busy);
        }
        Ok(BusyGuard {
            desk: self,
            id: checkout_id.to_string(),
        })
    }

    fn unhandled(&self) -> Result<HashSet<String>, StaffError> {
        Ok(self
            .checkouts
            .journal
            .needing_staff()?
            .into_iter()
            .map(|r| r.id)
            .collect())
    }

    /// The kiosk's checkout whose order has this POS id (or external id: Jupiter's are ours).
    fn checkout_for_pos(&self, pos_order_id: &str) -> Option<CheckoutRecord> {
        let j = &self.checkouts.journal;
        if let Ok(Some(r)) = j.by_external_id(pos_order_id) {
            return Some(r);
        }
        j.recent(RECENT_LIMIT).ok()?.into_iter().find(|r| {
            r.pos_order_id
                .as_deref()
                .is_some_and(|p| same_id(p, pos_order_id))
        })
    }

    /// The checkouts the list shows: recent ones that may have moved money, and every problem
    /// whatever its age.
    fn kiosk_records(&self) -> Result<Vec<CheckoutRecord>, StaffError> {
        let j = &self.checkouts.journal;
        let hours = i64::from(self.settings().list_hours);
        let since = time::OffsetDateTime::now_utc() - time::Duration::hours(hours);
        let mut out: Vec<CheckoutRecord> = j
            .recent(RECENT_LIMIT)?
            .into_iter()
            .filter(|r| r.state.money_may_have_moved())
            .filter(|r| parse_rfc3339(&r.created_at).is_none_or(|t| t >= since))
            .collect();
        let mut seen: HashSet<String> = out.iter().map(|r| r.id.clone()).collect();
        let mut extra = j.needing_staff()?;
        extra.extend(j.in_state(CheckoutState::Refunding)?);
        extra.extend(j.in_state(CheckoutState::Posting)?);
        for r in extra {
            if seen.insert(r.id.clone()) {
                out.push(r);
            }
        }
        Ok(out)
    }

    // -- background --------------------------------------------------------------------------------

    /// One poll of the POS while someone is logged in: tells the screens when its orders
    /// changed. Returns whether they did.
    pub async fn poll_once(&self) -> bool {
        self.sweep().await;
        if !self.sessions.any_open() {
            return false;
        }
        let ids: Vec<String> = self
            .kiosk_records()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| r.pos_order_id)
            .collect();
        let (rows, err) = self.pos_rows(None, &ids).await;
        if err.is_some() {
            return false;
        }
        let mut seen: Vec<(String, String, Money)> = rows
            .iter()
            .map(|r| {
                (
                    norm(&r.order.pos_order_id),
                    r.order.status.as_str().to_string(),
                    r.order.total,
                )
            })
            .collect();
        seen.sort_by(|a, b| a.0.cmp(&b.0));
        let mut last = self.last_poll.lock().unwrap_or_else(|p| p.into_inner());
        let changed = last.as_ref().is_some_and(|l| *l != seen);
        *last = Some(seen);
        drop(last);
        if changed {
            self.bump();
        }
        changed
    }

    /// Tells the screens of every message on `changes` (a missed one counts too), for as long
    /// as its sender lives.
    fn bump_on<T: Clone + Send + 'static>(self: &Arc<Self>, mut changes: broadcast::Receiver<T>) {
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                match changes.recv().await {
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => me.bump(),
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
    }

    /// Starts the staff side's background work: forwards the checkout's changes to the staff
    /// screens, and every `every` ends idle sessions (releasing their locks) and polls the POS.
    /// The checkout's updates are subscribed to before this returns, so none is missed.
    pub fn spawn_background(self: &Arc<Self>, every: Duration) {
        // A printer alert raised or cleared changes what the staff screens show.
        if let Some(alerts) = self.engine.printing.as_ref().map(|p| p.subscribe()) {
            self.bump_on(alerts);
        }
        if let Some(orders) = self.engine.subscribe_orders() {
            self.bump_on(orders);
        }
        let me = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                me.poll_once().await;
            }
        });
    }
}

fn pos_ref(pos_order_id: &str) -> StaffOrderRef {
    StaffOrderRef::Pos {
        pos_order_id: pos_order_id.to_string(),
    }
}

/// `staff.toml` in the kiosk's data folder.
pub fn default_settings_path(config: &KioskConfig) -> PathBuf {
    config
        .kiosk
        .data_dir
        .clone()
        .unwrap_or_else(crate::engine::default_data_dir)
        .join(STAFF_FILE)
}
