//! What the screens show, computed here so the UI only renders.
//!
//! These are the IPC payloads: the TS types in `ui/src/lib/bindings/` are generated from them.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cart::{CartProblem, OrderType};
use crate::catalog::{Availability, Badge, Catalog, CatalogFault, PosId};
use crate::checkout::CheckoutState;
use crate::money::Money;
use crate::order::OrderStatus;
use crate::pricing::{self, PriceChange, Quote};

/// The menu as the customer browses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MenuView {
    pub version: String,
    /// Sections that have something to show, in display order.
    pub sections: Vec<SectionView>,
    /// Dishes and combos, one card each, in display order.
    pub cards: Vec<MenuCard>,
    /// The full catalog, for the dish sheet and the combo builder.
    pub catalog: Catalog,
    /// How old the menu is, in seconds (shown on the service screen only).
    #[ts(type = "number")]
    pub age_s: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SectionView {
    pub id: PosId,
    pub name: String,
    pub card_count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CardKind {
    Dish,
    Combo,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MenuCard {
    pub id: PosId,
    pub kind: CardKind,
    pub section: PosId,
    pub name: String,
    pub description: Option<String>,
    pub price: Money,
    /// Set when the cheapest valid choice costs more than `price`: show "from …".
    pub from_price: Option<Money>,
    pub availability: Availability,
    pub badges: Vec<Badge>,
    /// True when the customer must choose something before adding (required modifiers, combo).
    pub needs_choices: bool,
    pub has_image: bool,
}

impl MenuView {
    pub fn build(catalog: Catalog, age_s: u64) -> MenuView {
        let mut cards = Vec::new();
        let ix = catalog.index();
        for d in &catalog.dishes {
            let from = pricing::from_price_in(&ix, &d.id).filter(|p| *p != d.price);
            let needs_choices = d
                .modifier_groups
                .iter()
                .filter_map(|g| catalog.modifier_group(g))
                .any(|g| g.required() && !g.modifiers.iter().all(|m| m.auto));
            cards.push((
                d.sort,
                MenuCard {
                    id: d.id.clone(),
                    kind: CardKind::Dish,
                    section: d.section.clone(),
                    name: d.name.clone(),
                    description: d.description.clone(),
                    price: d.price,
                    from_price: from,
                    availability: d.availability.clone(),
                    badges: d.badges.clone(),
                    needs_choices,
                    has_image: d.image_url.is_some(),
                },
            ));
        }
        for c in &catalog.combos {
            let min_delta: Money = c
                .slots
                .iter()
                .filter(|s| s.min > 0)
                .map(|s| {
                    s.choices
                        .iter()
                        .map(|ch| ch.price_delta)
                        .min()
                        .unwrap_or(Money::ZERO)
                        .times(s.min)
                })
                .sum();
            cards.push((
                c.sort,
                MenuCard {
                    id: c.id.clone(),
                    kind: CardKind::Combo,
                    section: c.section.clone(),
                    name: c.name.clone(),
                    description: c.description.clone(),
                    price: c.price,
                    from_price: (!min_delta.is_zero()).then(|| c.price + min_delta),
                    availability: c.availability.clone(),
                    badges: vec![],
                    needs_choices: true,
                    has_image: c.image_url.is_some(),
                },
            ));
        }
        cards.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
        let cards: Vec<MenuCard> = cards.into_iter().map(|(_, c)| c).collect();

        let mut counts: HashMap<&str, u32> = HashMap::new();
        for c in &cards {
            *counts.entry(c.section.as_str()).or_default() += 1;
        }
        let mut sections: Vec<(i32, SectionView)> = catalog
            .sections
            .iter()
            .filter_map(|s| {
                counts.get(s.id.as_str()).map(|n| {
                    (
                        s.sort,
                        SectionView {
                            id: s.id.clone(),
                            name: s.name.clone(),
                            card_count: *n,
                        },
                    )
                })
            })
            .collect();
        let mut seen = HashSet::new();
        sections.retain(|(_, s)| seen.insert(s.id.clone()));
        sections.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
        MenuView {
            version: catalog.version.clone(),
            sections: sections.into_iter().map(|(_, s)| s).collect(),
            cards,
            catalog,
            age_s,
        }
    }
}

/// The answer to a pricing request. `revision` echoes the UI's cart revision so an answer to an
/// older cart is never shown as the current price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PricedCart {
    #[ts(type = "number")]
    pub revision: u64,
    pub quote: Quote,
    /// Lines the POS priced differently from the menu.
    pub changes: Vec<PriceChange>,
    /// Rule problems found locally (the quote is then an estimate).
    pub problems: Vec<CartProblem>,
}

/// Where the customer's order stands, for the confirmation screen and the order board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderView {
    pub checkout_id: String,
    /// The number the guest is called by (from the POS, else our own short number).
    pub number: String,
    pub state: CheckoutState,
    pub pos_order_id: Option<String>,
    pub pos_status: Option<OrderStatus>,
    pub total: Money,
    pub order_type: OrderType,
    /// Paid at the counter rather than at the kiosk.
    pub pay_at_counter: bool,
    /// A short explanation for the customer when the order is not simply accepted.
    pub notice: Option<CheckoutNotice>,
    /// The guest's paper slip: printing, printed, or not (remember the number).
    #[serde(default)]
    pub slip: SlipStatus,
}

/// Where the guest's slip stands (the confirmation screen's line about it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SlipStatus {
    /// No printer is set up on this kiosk.
    #[default]
    None,
    /// The guest agreed to go on without a slip (the printer could not print).
    Skipped,
    /// To be printed once the order is in the POS.
    Pending,
    /// Being printed.
    Printing,
    Printed,
    /// The printer failed; the slip can be printed again from the staff screens.
    Failed,
}

impl SlipStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SlipStatus::None => "none",
            SlipStatus::Skipped => "skipped",
            SlipStatus::Pending => "pending",
            SlipStatus::Printing => "printing",
            SlipStatus::Printed => "printed",
            SlipStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<SlipStatus> {
        [
            SlipStatus::None,
            SlipStatus::Skipped,
            SlipStatus::Pending,
            SlipStatus::Printing,
            SlipStatus::Printed,
            SlipStatus::Failed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum CheckoutNotice {
    /// Paid; the POS is not answering and the kiosk keeps sending the order.
    PaidSending,
    /// The POS refused the paid order; the money is being returned.
    Refunding {
        reason: String,
    },
    Refunded {
        reason: String,
    },
    /// Staff will sort it out; the customer keeps the number.
    AskStaff {
        reason: String,
    },
}

/// The outcome of the customer's "Pay" tap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum CheckoutResult {
    /// The order exists in the POS (or is paid and being sent): show the number.
    Placed {
        order: OrderView,
    },
    /// Nothing was charged; back to the cart.
    PaymentDeclined {
        reason: String,
    },
    PaymentCancelled,
    /// The POS price moved since the customer saw it; nothing was charged.
    PriceChanged {
        quote: PricedCart,
    },
}

/// Live progress of a checkout, streamed to the payment screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum CheckoutEvent {
    State {
        state: CheckoutState,
    },
    Payment {
        progress: crate::payment::PaymentProgress,
    },
}

/// Settings the UI needs at start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub demo: bool,
    pub pos: String,
    pub payment: String,
    pub languages: Vec<String>,
    pub default_language: String,
    pub order_types: Vec<OrderType>,
    /// Seconds without a touch before "Are you still there?".
    pub idle_timeout_s: u32,
    /// Seconds the "Are you still there?" countdown lasts.
    pub idle_countdown_s: u32,
    /// Seconds the confirmation screen stays before the kiosk returns to the attract screen.
    pub confirmation_timeout_s: u32,
    /// The restaurant's name for the header, when the settings give one.
    pub restaurant_name: Option<String>,
    /// Why the kiosk cannot take orders, when it cannot (bad settings, no journal).
    pub out_of_service: Option<String>,
    /// What this device is: the customer's kiosk, a staff tablet, or an order board.
    pub mode: AppMode,
}

/// What one installation of the app is for (`[kiosk] mode` in the settings).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AppMode {
    /// The self-order kiosk the customers use.
    #[default]
    Customer,
    /// A staff tablet: problem orders, open orders, bills.
    Staff,
    /// A second display that lists the orders being prepared and ready.
    Board,
}

impl AppMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AppMode::Customer => "customer",
            AppMode::Staff => "staff",
            AppMode::Board => "board",
        }
    }
}

/// For the service screen: catalog faults and freshness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MenuHealth {
    pub version: String,
    #[ts(type = "number")]
    pub age_s: u64,
    pub stale: bool,
    pub faults: Vec<CatalogFault>,
}

// ---------------------------------------------------------------------------------------------
// The installer's screens: the set-up wizard, the service menu and `kioskctl doctor`.
// ---------------------------------------------------------------------------------------------

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CheckStatus {
    Ok,
    /// Works, but needs attention soon (little disk left, an old menu).
    Warn,
    /// The kiosk cannot work like this.
    Fail,
    /// Not checked because an earlier check failed or it does not apply.
    Skipped,
}

/// One line of a connection test, a diagnostics page or `kioskctl doctor`: what was checked,
/// what was found and, when it is not OK, what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CheckLine {
    /// Stable id the UI may key its translations on, e.g. `pos.token`.
    pub id: String,
    /// What was checked (English).
    pub label: String,
    pub status: CheckStatus,
    /// What was found.
    pub detail: String,
    /// What the installer should do, when the status is not OK.
    pub fix: Option<String>,
}

impl CheckLine {
    pub fn ok(id: &str, label: &str, detail: impl Into<String>) -> CheckLine {
        CheckLine {
            id: id.into(),
            label: label.into(),
            status: CheckStatus::Ok,
            detail: detail.into(),
            fix: None,
        }
    }

    pub fn fail(
        id: &str,
        label: &str,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> CheckLine {
        CheckLine {
            id: id.into(),
            label: label.into(),
            status: CheckStatus::Fail,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn warn(
        id: &str,
        label: &str,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> CheckLine {
        CheckLine {
            status: CheckStatus::Warn,
            ..CheckLine::fail(id, label, detail, fix)
        }
    }

    pub fn skipped(id: &str, label: &str, why: impl Into<String>) -> CheckLine {
        CheckLine {
            id: id.into(),
            label: label.into(),
            status: CheckStatus::Skipped,
            detail: why.into(),
            fix: None,
        }
    }

    pub fn failed(&self) -> bool {
        self.status == CheckStatus::Fail
    }
}

/// The size and health of a menu, without the menu itself (the Jupiter `getTT` summary, the
/// pre-flight check).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MenuSummary {
    pub version: String,
    pub sections: u32,
    pub dishes: u32,
    pub modifier_groups: u32,
    pub combos: u32,
    /// Dishes the POS says are not for sale now.
    pub out_of_stock: u32,
    pub faults: Vec<CatalogFault>,
}

impl MenuSummary {
    pub fn of(c: &Catalog) -> MenuSummary {
        MenuSummary {
            version: c.version.clone(),
            sections: c.sections.len() as u32,
            dishes: c.dishes.len() as u32,
            modifier_groups: c.modifier_groups.len() as u32,
            combos: c.combos.len() as u32,
            out_of_stock: c
                .dishes
                .iter()
                .filter(|d| !d.availability.can_sell(1))
                .count() as u32,
            faults: c.faults.clone(),
        }
    }
}

/// The wizard's "Test the connection": every line separately, so a bad token is never mistaken
/// for a down cash server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConnectionReport {
    /// `procart` or `jupiter`.
    pub pos: String,
    /// True when no line failed: the kiosk can take orders with these settings.
    pub ok: bool,
    pub latency_ms: Option<u32>,
    /// What the POS said of itself, when it answered.
    pub info: Option<crate::order::PosInfo>,
    pub lines: Vec<CheckLine>,
    /// The menu the POS serves (Jupiter: the `getTT` summary; ProCart: `getmenu`).
    pub menu: Option<MenuSummary>,
}

/// The settings the set-up wizard edits. Enumerations are strings so the form can hold a value
/// being typed; the engine checks them and names what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SettingsForm {
    /// Short id of this kiosk (1 to 20 characters), part of every order id.
    pub kiosk_id: String,
    pub restaurant_name: Option<String>,
    /// UI languages, the first is the default: `ru`, `en`.
    pub languages: Vec<String>,
    pub idle_timeout_s: u32,
    pub idle_countdown_s: u32,
    pub confirmation_timeout_s: u32,
    /// `procart` (r_keeper) or `jupiter`.
    pub pos_kind: String,
    /// ProCart: `http://host:11111`; Jupiter: the JPOS endpoint.
    pub pos_url: String,
    /// The POS table orders go to; empty for the gateway's default.
    pub table: Option<String>,
    /// Jupiter: `pay_first` or `submit_first`.
    pub jupiter_strategy: String,
    /// `simulator`, `counter`, `sbpilot` (Sberbank card terminal), `tbank` or `yookassa` (SBP QR).
    pub payment_provider: String,
    /// The payment simulator's address, or the T-Bank / YooKassa API's (empty: production).
    pub payment_url: Option<String>,
    /// `sbpilot`: the bank's `sb_pilot` executable.
    pub sbpilot_binary: Option<String>,
    /// `sbpilot`: its own folder (`pinpad.ini`, ...); empty: the executable's folder.
    pub sbpilot_install_dir: Option<String>,
    /// The POS tender for card payments (r_keeper currency code, Jupiter pay type uid).
    pub tender: String,
    pub tender_name: Option<String>,
    pub payment_timeout_s: Option<u32>,
    /// Order types offered, in display order.
    pub order_types: Vec<OrderType>,
    /// POS order category (price list) per order type.
    pub eat_in_category: Option<String>,
    pub takeaway_category: Option<String>,
    pub menu_refresh_s: u32,
    /// ProCart push notifications: where the kiosk listens (`0.0.0.0:8765`), or none.
    pub callbacks_listen: Option<String>,
    pub callbacks_public_url: Option<String>,
    /// What this device is: the customer's kiosk, a staff tablet, or an order board.
    pub mode: AppMode,
}

/// One problem with the settings, for the wizard to show beside the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SettingsProblem {
    /// The form field (`pos_url`), or the settings key (`pos.url`) for a file.
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

/// The answer to "save the settings".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SettingsSaved {
    /// False when `problems` is not empty: nothing was written.
    pub saved: bool,
    pub path: String,
    pub problems: Vec<SettingsProblem>,
}

/// Which secret the wizard sets. They go to the OS keyring, never to a file; the UI can only
/// learn whether each is set, never read one back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SecretKind {
    /// ProCart's access token, or Jupiter's server id.
    PosToken,
    /// Jupiter: the kiosk user's password.
    PosUserPassword,
    /// T-Bank: the terminal key.
    TbankTerminalKey,
    /// T-Bank: the terminal password (it signs every request).
    TbankPassword,
    /// YooKassa: the shop id.
    YookassaShopId,
    /// YooKassa: the secret key.
    YookassaSecretKey,
}

impl SecretKind {
    pub const ALL: [SecretKind; 6] = [
        SecretKind::PosToken,
        SecretKind::PosUserPassword,
        SecretKind::TbankTerminalKey,
        SecretKind::TbankPassword,
        SecretKind::YookassaShopId,
        SecretKind::YookassaSecretKey,
    ];
}

/// The set-up screens' "Test the payment provider": a check that charges nothing, or a small
/// test sale that is given back at once; one line per step, each with its fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PaymentTestReport {
    /// `simulator`, `counter`, `sbpilot`, `tbank` or `yookassa`.
    pub provider: String,
    /// True when no line failed (and, for a test sale, the money came back).
    pub ok: bool,
    pub lines: Vec<CheckLine>,
}

/// Where the installation stands; the UI shows the wizard while `configured` is false.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SetupStatus {
    /// A settings file the kiosk can use exists.
    pub configured: bool,
    /// The running kiosk is the demo.
    pub demo: bool,
    pub settings_path: String,
    /// Why the settings file cannot be used (with its line and column).
    pub settings_problem: Option<String>,
    /// The current settings, or defaults for a new installation.
    pub settings: SettingsForm,
    /// Whether the keyring holds the POS token / server id.
    pub pos_token_set: bool,
    /// Jupiter: whether the keyring holds the kiosk user's password.
    pub pos_user_password_set: bool,
    /// The OS keyring's state, with what to install or unlock when it is not usable.
    pub keyring: CheckLine,
    /// A service PIN exists. Until it does, the wizard runs without one.
    pub pin_set: bool,
    /// Every secret the keyring holds for these settings (never their values).
    pub secrets_set: Vec<SecretKind>,
}

/// The service PIN's state, before anyone types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PinState {
    pub set: bool,
    /// Seconds until another attempt is allowed; 0 when one is allowed now.
    #[ts(type = "number")]
    pub retry_in_s: u64,
    /// Wrong attempts since the last right one.
    pub failed_attempts: u32,
}

/// The answer to a PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum PinVerdict {
    /// The service menu opens; every service command takes `session` until it expires.
    Granted {
        session: String,
        #[ts(type = "number")]
        expires_in_s: u64,
    },
    /// Wrong. `retry_in_s` > 0 means the next attempt must wait that long.
    Wrong {
        attempts_before_lockout: u32,
        #[ts(type = "number")]
        retry_in_s: u64,
    },
    /// Too many wrong attempts: nothing was checked; try again later.
    LockedOut {
        #[ts(type = "number")]
        retry_in_s: u64,
    },
    /// No PIN is set yet: the set-up wizard sets one.
    NotSet,
}

/// The POS as the service screen sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PosDiagnostics {
    pub kind: String,
    pub url: String,
    pub reachable: bool,
    pub latency_ms: Option<u32>,
    pub info: Option<crate::order::PosInfo>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MenuDiagnostics {
    pub version: Option<String>,
    /// `snapshot` (read from disk at start) or `pos`.
    pub source: Option<String>,
    /// Seconds since the POS last confirmed the menu.
    #[ts(type = "number | null")]
    pub age_s: Option<u64>,
    /// When the last refresh was tried (RFC 3339, UTC).
    pub last_refresh_at: Option<String>,
    /// Why the last refresh did not update the menu.
    pub last_error: Option<String>,
    pub stale: bool,
    pub fault_count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct JournalDiagnostics {
    pub available: bool,
    pub error: Option<String>,
    /// Checkouts not finished yet (being paid, sent, refunded, tracked).
    pub backlog: u32,
    /// Checkouts a person must settle, newest first.
    pub needs_staff: Vec<OrderView>,
    /// Checkouts started today (UTC).
    pub today: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PaymentDiagnostics {
    pub provider: String,
    pub status: CheckStatus,
    pub detail: String,
    pub latency_ms: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DiskDiagnostics {
    pub path: String,
    #[ts(type = "number")]
    pub free_bytes: u64,
    #[ts(type = "number")]
    pub total_bytes: u64,
}

/// Everything the service menu's diagnostics page shows; `checks` is the same list as
/// `kioskctl doctor` prints, so both say the same thing in the same words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DiagnosticsView {
    pub version: String,
    /// RFC 3339, UTC.
    pub generated_at: String,
    pub kiosk_id: String,
    pub data_dir: String,
    pub pos: PosDiagnostics,
    pub menu: MenuDiagnostics,
    pub journal: JournalDiagnostics,
    pub payment: PaymentDiagnostics,
    pub disk: Option<DiskDiagnostics>,
    pub checks: Vec<CheckLine>,
}

/// The "export diagnostics" zip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DiagnosticsExport {
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
    /// The files inside, for the screen to list.
    pub files: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Staff tablets: staff login, the kiosk's and the POS's orders (problems first), order actions.
// The engine's `staff` module computes all of it; the screens render it and send intents.
// ---------------------------------------------------------------------------------------------

/// How a member of staff proves who they are. r_keeper: a PIN kept (hashed) in the kiosk's staff
/// settings. Jupiter: the password or card track that Jupiter itself checks (`get_user_id`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum StaffCredential {
    /// `staff_id` picks the member (a "choose your name" grid); without it every PIN is tried.
    Pin {
        #[serde(default)]
        #[ts(optional)]
        staff_id: Option<String>,
        pin: String,
    },
    Password {
        password: String,
    },
    /// The raw track of a magnetic card, as the reader typed it.
    Card {
        track: String,
    },
}

impl std::fmt::Debug for StaffCredential {
    // Credentials never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StaffCredential::Pin { staff_id, .. } => f
                .debug_struct("Pin")
                .field("staff_id", staff_id)
                .finish_non_exhaustive(),
            StaffCredential::Password { .. } => f.write_str("Password(***)"),
            StaffCredential::Card { .. } => f.write_str("Card(***)"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StaffLoginMethod {
    Pin,
    Password,
    Card,
}

/// A member of staff as the screens show them. `id` is stable and never a secret: the settings'
/// member id (r_keeper), or a fingerprint of the Jupiter user (`jpos-…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffMemberView {
    pub id: String,
    pub name: String,
}

/// What the staff login screen needs before anyone types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffLoginInfo {
    /// Staff can log in on this kiosk.
    pub enabled: bool,
    /// The app should open the staff screens instead of the customer's (a setting).
    pub staff_mode: bool,
    /// `procart` or `jupiter`.
    pub pos: String,
    pub methods: Vec<StaffLoginMethod>,
    /// r_keeper: the members who have a PIN, for a "choose your name" grid; empty for Jupiter.
    pub members: Vec<StaffMemberView>,
    /// A session ends after this many seconds without a staff action.
    pub idle_logout_s: u32,
    /// Seconds until another login attempt is allowed; 0 when one is allowed now.
    #[ts(type = "number")]
    pub retry_in_s: u64,
    /// Why staff cannot log in, when they cannot (settings unreadable, journal unusable).
    pub problem: Option<String>,
}

/// Which order actions this POS has, so the screens know which buttons can ever appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffCapabilities {
    /// Jupiter: `lock_order` / `unlock_order` around every edit.
    pub lock: bool,
    pub add_dishes: bool,
    pub print_bill: bool,
    pub add_client: bool,
    /// ProCart: `/close`, with a payment taken at the counter.
    pub close: bool,
    /// ProCart: `/internal/print_info`, the order's long comment.
    pub print_info: bool,
    /// A printer for order numbers is configured.
    pub print_number: bool,
}

/// A logged-in staff member; every staff command carries `session` until it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffSession {
    pub session: String,
    pub staff: StaffMemberView,
    pub pos: String,
    /// The session ends after this many seconds without a staff action (auto-logout).
    pub idle_logout_s: u32,
    pub capabilities: StaffCapabilities,
    /// Something staff should know at once (e.g. no workday is open in Jupiter).
    pub warning: Option<String>,
}

/// The answer to a login attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum StaffLoginVerdict {
    Granted {
        session: StaffSession,
    },
    /// Wrong PIN or password. `retry_in_s` > 0 means the next attempt must wait that long.
    Wrong {
        attempts_before_lockout: u32,
        #[ts(type = "number")]
        retry_in_s: u64,
    },
    /// Too many wrong attempts: nothing was checked.
    LockedOut {
        #[ts(type = "number")]
        retry_in_s: u64,
    },
}

/// Which order a staff command is about: one of the kiosk's checkouts, or an order the POS
/// lists that the kiosk did not take.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum StaffOrderRef {
    Checkout { checkout_id: String },
    Pos { pos_order_id: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StaffOrderSource {
    /// Taken by this kiosk (it is in the journal).
    Kiosk,
    /// Listed by the POS only (opened at the cash desk, another kiosk, a waiter).
    Pos,
}

/// Why an order is at the top of the staff list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum StaffProblem {
    /// The checkout stopped and waits for a person (payment in doubt, POS never reached, a
    /// refund that failed…).
    NeedsStaff { reason: String },
    /// The POS has the order, but at another total or without the payment the kiosk took.
    TotalMismatch {
        pos_order_id: String,
        reason: String,
    },
    /// The POS refused the paid order; the money is being returned.
    Refunding { reason: String },
    /// Paid, and the kiosk is still trying to reach the POS.
    StuckSending { attempts: u32 },
    /// The guest chose to pay at the counter and the POS still shows it unpaid.
    UnpaidAtCounter,
}

/// An action a staff member can take on an order now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StaffAction {
    /// Look the order up in the POS and send it only where that cannot make a second order.
    RetrySend,
    MarkHandled,
    /// Return the money through the provider that took it.
    Refund,
    PrintNumber,
    Lock,
    Unlock,
    AddDishes,
    PrintBill,
    AddClient,
    Close,
    PrintInfo,
}

/// One line of the staff order list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffOrderRow {
    /// What to pass back to the order commands.
    pub reference: StaffOrderRef,
    pub source: StaffOrderSource,
    pub checkout_id: Option<String>,
    pub pos_order_id: Option<String>,
    /// The number the guest is called by (the POS's, else the kiosk's), or the POS's order name.
    pub number: String,
    /// The checkout's state, for the kiosk's orders.
    pub state: Option<CheckoutState>,
    pub pos_status: Option<OrderStatus>,
    pub total: Money,
    /// What the POS records as paid, when it says.
    pub paid: Option<Money>,
    pub pay_at_counter: bool,
    /// When the order was opened, as the source gives it (RFC 3339 for the kiosk's orders).
    pub opened_at: Option<String>,
    #[ts(type = "number | null")]
    pub age_s: Option<u64>,
    pub problem: Option<StaffProblem>,
    /// The staff member of this kiosk editing the order (a Jupiter lock), if any.
    pub locked_by: Option<String>,
    /// How staff settled the order's problem, once they marked it handled (or a resend or
    /// refund did): the row then leaves the problem list but keeps saying who closed it.
    pub handled: Option<StaffHandled>,
    /// The actions that fit now, in the order to show them.
    pub actions: Vec<StaffAction>,
}

/// A problem order that staff marked handled: who, when (RFC 3339, UTC) and how it was settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffHandled {
    pub by: String,
    pub at: String,
    pub reason: String,
}

/// The staff order list: problems first (oldest first), then every other order (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffOrdersView {
    pub problems: Vec<StaffOrderRow>,
    pub orders: Vec<StaffOrderRow>,
    /// The POS's orders could not be read (the kiosk's own are still listed).
    pub pos_error: Option<String>,
    /// Bumped by every change the staff screens should see (see `StaffEvent`).
    #[ts(type = "number")]
    pub revision: u64,
    /// The receipt printer's problem, while it has one (a banner on the staff screens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub printer: Option<PrinterAlert>,
}

/// A problem of the kiosk's receipt printer, for staff: what, since when, and the technical
/// detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PrinterAlert {
    pub problem: crate::error::PrinterProblem,
    /// RFC 3339, UTC: when the kiosk first saw it.
    pub since: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StaffHistoryKind {
    /// A step of the checkout (journal transition).
    State,
    /// Something a member of staff did, or its result.
    Staff,
    /// The guest's slip: printed, failed, printed again.
    Printer,
}

/// One entry of an order's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffHistoryEntry {
    /// RFC 3339, UTC.
    pub at: String,
    pub kind: StaffHistoryKind,
    /// Who, for staff entries.
    pub staff: Option<String>,
    /// A checkout state (`posting`), or a staff action (`refund`) with its result
    /// (`refund.ok`, `refund.failed`).
    pub what: String,
    pub detail: Option<String>,
}

/// A Jupiter edit lock held through this kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffLockView {
    pub held_by: String,
    /// Held by the session asking.
    pub mine: bool,
    #[ts(type = "number")]
    pub since_s: u64,
}

/// A loyalty client attached to an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LoyaltyClientView {
    pub name: String,
    pub card: String,
    /// Points balance.
    pub bonus: Money,
}

/// One order with its lines and everything that happened to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffOrderDetail {
    pub row: StaffOrderRow,
    /// The lines: the POS's copy when the kiosk has one (a Jupiter lock, an answer), else the
    /// price the kiosk charged.
    pub quote: Option<Quote>,
    pub external_id: Option<String>,
    /// What the customer's screen says about the order.
    pub notice: Option<CheckoutNotice>,
    /// The kiosk's payment (card mask, transaction id) for a refund or a call to the bank.
    pub payment: Option<crate::payment::PaymentReceipt>,
    pub client: Option<LoyaltyClientView>,
    pub lock: Option<StaffLockView>,
    /// Oldest first: the checkout's steps and every staff action, with who and when.
    pub history: Vec<StaffHistoryEntry>,
}

/// A payment recorded when staff close a ProCart order. Every field is optional: by default the
/// kiosk's own card payment (when the POS lacks it), else the outstanding amount in the counter
/// tender of the staff settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffClosePayment {
    #[serde(default)]
    #[ts(optional)]
    pub amount: Option<Money>,
    /// The r_keeper currency code.
    #[serde(default)]
    #[ts(optional)]
    pub tender: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub transaction_id: Option<String>,
    /// Close without recording any payment (the POS already has it all).
    #[serde(default)]
    #[ts(optional)]
    pub no_payment: Option<bool>,
}

/// What a staff action did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum StaffOutcome {
    /// The POS surely lacked the order; it was sent and the POS now has it.
    Sent {
        pos_order_id: String,
        number: Option<String>,
    },
    /// The POS already has the order: nothing was sent. `note` says what is left to do.
    AlreadyInPos {
        order: crate::order::PosOrder,
        note: String,
    },
    /// The kiosk is still sending it on its own; sending in parallel could double the order.
    StillSending {
        attempts: u32,
    },
    Handled,
    Refunded {
        amount: Money,
        reference: String,
    },
    /// The provider accepted the refund but has not confirmed it yet.
    RefundPending,
    Printed,
    /// Nothing was printed: the kiosk has no printer for this.
    NoPrinter {
        reason: String,
    },
    Locked {
        order: Box<StaffOrderDetail>,
    },
    /// The POS (or another staff member on this kiosk) holds the order; open it read-only.
    /// `held_by` is known only for locks taken through this kiosk: Jupiter does not say who.
    LockRefused {
        held_by: Option<String>,
        message: String,
    },
    /// The POS has no such order (Jupiter answers a lock of an unknown order with success).
    NotInPos,
    Unlocked,
    /// Dishes added or the bill printed: the order as the POS now has it.
    Updated {
        order: Box<StaffOrderDetail>,
    },
    ClientAdded {
        client: Option<LoyaltyClientView>,
        /// The order's discounts after the client was attached.
        discounts: Vec<crate::pricing::Adjustment>,
        total_before: Money,
        total_after: Money,
        order: Box<StaffOrderDetail>,
    },
    Closed {
        order: crate::order::PosOrder,
    },
    PrintInfo {
        comment: String,
    },
}

/// Pushed to the staff screens (the shell's `staff-event`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum StaffEvent {
    /// Something in the order list changed: fetch `staff_orders` again.
    OrdersChanged {
        #[ts(type = "number")]
        revision: u64,
    },
    /// A session ended (auto-logout after inactivity, or logout): show the login screen.
    SessionEnded { session: String, reason: String },
}
