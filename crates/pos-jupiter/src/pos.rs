//! [`JupiterPos`]: the [`Pos`] port over JPOS, and its settings.
//!
//! JPOS was made for a waiter's tablet, so a kiosk acts as a JPOS install with a service staff
//! account (reference §8). The protocol has no price check and no cancel, and `add_new_order`
//! prints to the kitchen at once; the order flow below is built around that:
//!
//! * `price` is local ([`QuoteSource::Estimate`]).
//! * `place_order` with a payment ([`Strategy::PayFirst`], the default, reference §8.4 A):
//!   1. price the cart again from the current menu; if that is not what was charged, stop
//!      before anything reaches Jupiter (`PriceChanged`, nothing printed);
//!   2. `add_new_order` open, with the kiosk's external id as the order uid;
//!   3. compare Jupiter's `sum_fakt` with the amount charged; a difference (an automatic
//!      discount, a price edited meanwhile) is `PriceChanged` with both amounts, and the order
//!      is left open for staff: a different amount is never recorded silently;
//!   4. `add_new_order` again with `close_date` and `order_payment` (tender = the payment's
//!      `pay_type_uid`).
//! * `place_order` without a payment sends the open order only: an order paid at the counter,
//!   or the first step of [`Strategy::SubmitFirst`] (reference §8.4 B), whose returned quote is
//!   Jupiter's own total (`QuoteSource::Pos`) for the kiosk to charge. Calling `place_order`
//!   again with the payment then closes it; step 1 is skipped there, because Jupiter's total
//!   (discounts, loyalty) is what was charged.
//!
//! `place_order` is safe to repeat with the same request: the order uid and line uids are the
//! same every time and Jupiter merges by them, and a closed order replays as it is. So after a
//! lost answer, when [`Pos::find_order`] reports the order open and unpaid, calling
//! `place_order` again finishes it without a duplicate.
//!
//! `find_order(external_id)`: the external id *is* the order uid (the reference's recommended
//! marker, §8.4 "never make a new order uid"), looked up with `get_closed_orders` (closed ids,
//! plus the service user's open orders). An id in neither list is surely absent: every kiosk
//! order is sent by the service user, so it is in `open_orders` while open.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use kiosk_core::cart::{Cart, OrderType};
use kiosk_core::catalog::Catalog;
use kiosk_core::order::{OrderContext, OrderRequest, OrderStatus, PosInfo, PosOrder};
use kiosk_core::ports::Pos;
use kiosk_core::pricing::{Quote, QuoteSource};
use kiosk_core::{Money, PosError};
use serde::{Deserialize, Serialize};

use crate::catalog::{build_menu_owned, JupiterMenu, MenuOptions};
use crate::client::{BodyMode, ClientConfig, JupiterClient, Secret};
use crate::error::JupiterError;
use crate::order::{self, Clock, OrderHeader, SystemClock};
use crate::pricing;
use crate::status::StatusPoll;
use crate::wire::{self, RejectKind};

/// Which comes first, the customer's payment or the order in Jupiter (reference §8.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// A: charge the local price, then send the order and close it with the payment. Nothing
    /// reaches the kitchen unpaid; automatic discounts surface as a price mismatch for staff.
    #[default]
    PayFirst,
    /// B: send the open order first (the kitchen ticket prints), charge Jupiter's total, then
    /// close. Needed when loyalty or automatic discounts must be shown before paying.
    SubmitFirst,
}

/// How the kiosk logs in: JPOS identifies staff by a password (or card track) that
/// `get_user_id` turns into a user uid; either may be stored. Both are secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserCredentials {
    Password(Secret),
    UserId(Secret),
}

/// A payment type the kiosk records payments with, for when getTT does not list it (DERIVED
/// S1: it may list only the bonus type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentTypeConfig {
    pub uid: String,
    pub name: String,
    #[serde(default)]
    pub cash: bool,
}

/// Settings of the Jupiter adapter. `server_id` and `user` are secrets the caller reads from
/// the keyring; they print as `***`.
#[derive(Debug, Clone)]
pub struct JupiterConfig {
    /// The JPOS endpoint, e.g. `https://jupiter.report/jpos/index.php`.
    pub url: String,
    /// ASSUMED: a separate endpoint for order commands; `None` sends everything to `url`.
    pub order_url: Option<String>,
    pub server_id: Secret,
    pub user: UserCredentials,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub menu_timeout: Duration,
    /// Extra attempts for read-only commands; orders are never retried here.
    pub read_retries: u32,
    pub retry_backoff: Duration,
    pub body_mode: BodyMode,
    pub strategy: Strategy,
    /// `vid` per order type.
    pub vid_eat_in: String,
    pub vid_takeaway: String,
    /// `source` of every kiosk order.
    pub source: String,
    /// `waiter`/`cashier` name of the kiosk's service user.
    pub staff_name: String,
    /// Consulted before getTT's list when naming a payment.
    pub payment_types: Vec<PaymentTypeConfig>,
    pub image_base_url: String,
    pub show_unreachable_sections: bool,
    /// The restaurant's offset from UTC in minutes; `None` asks the OS.
    pub utc_offset_minutes: Option<i32>,
}

impl JupiterConfig {
    /// The settings with the reference's suggested defaults (§1.6, §8.5).
    pub fn new(url: impl Into<String>, server_id: Secret, user: UserCredentials) -> JupiterConfig {
        JupiterConfig {
            url: url.into(),
            order_url: None,
            server_id,
            user,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            menu_timeout: Duration::from_secs(60),
            read_retries: 2,
            retry_backoff: Duration::from_millis(500),
            body_mode: BodyMode::RawJson,
            strategy: Strategy::PayFirst,
            vid_eat_in: wire::VID_EAT_IN.into(),
            vid_takeaway: wire::VID_TAKEAWAY.into(),
            source: "Киоск".into(),
            staff_name: "Киоск".into(),
            payment_types: vec![],
            image_base_url: wire::DEFAULT_IMAGE_BASE.into(),
            show_unreachable_sections: false,
            utc_offset_minutes: None,
        }
    }

    fn client_config(&self) -> ClientConfig {
        ClientConfig {
            url: self.url.clone(),
            order_url: self.order_url.clone(),
            server_id: self.server_id.clone(),
            connect_timeout: self.connect_timeout,
            request_timeout: self.request_timeout,
            menu_timeout: self.menu_timeout,
            read_retries: self.read_retries,
            retry_backoff: self.retry_backoff,
            body_mode: self.body_mode.clone(),
        }
    }

    fn menu_options(&self) -> MenuOptions {
        MenuOptions {
            image_base_url: self.image_base_url.clone(),
            show_unreachable_sections: self.show_unreachable_sections,
        }
    }
}

pub struct JupiterPos {
    client: JupiterClient,
    cfg: JupiterConfig,
    clock: Arc<dyn Clock>,
    /// The service user's uid, after the first login.
    user: tokio::sync::Mutex<Option<Secret>>,
    menu: RwLock<Option<Arc<JupiterMenu>>>,
    /// Jupiter's last copy of each order this process sent, for totals that
    /// `get_closed_orders` does not return.
    seen: Mutex<HashMap<String, wire::Order>>,
}

impl std::fmt::Debug for JupiterPos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JupiterPos")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

impl JupiterPos {
    pub fn new(cfg: JupiterConfig) -> Result<JupiterPos, JupiterError> {
        let utc_offset = match cfg.utc_offset_minutes {
            Some(m) => Some(
                time::UtcOffset::from_whole_seconds(m * 60)
                    .map_err(|e| JupiterError::Config(format!("utc_offset_minutes {m}: {e}")))?,
            ),
            None => None,
        };
        let user = match &cfg.user {
            UserCredentials::UserId(id) => Some(id.clone()),
            UserCredentials::Password(_) => None,
        };
        Ok(JupiterPos {
            client: JupiterClient::new(cfg.client_config())?,
            clock: Arc::new(SystemClock { utc_offset }),
            cfg,
            user: tokio::sync::Mutex::new(user),
            menu: RwLock::new(None),
            seen: Mutex::new(HashMap::new()),
        })
    }

    /// Replaces the clock (tests use [`order::FixedClock`]).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> JupiterPos {
        self.clock = clock;
        self
    }

    /// The raw commands, for staff flows (lock, unlock, print_bill, loyalty).
    pub fn client(&self) -> &JupiterClient {
        &self.client
    }

    pub fn config(&self) -> &JupiterConfig {
        &self.cfg
    }

    /// The service user's uid, logging in with the password on first use.
    pub async fn user_id(&self) -> Result<Secret, PosError> {
        let mut guard = self.user.lock().await;
        if let Some(id) = guard.as_ref() {
            return Ok(id.clone());
        }
        let UserCredentials::Password(pw) = &self.cfg.user else {
            unreachable!("a configured user id is cached from the start");
        };
        let login = self.client.get_user_id(pw).await?;
        *guard = Some(login.user_id.clone());
        Ok(login.user_id)
    }

    /// Forgets a logged-in user id that Jupiter no longer knows, so the next call logs in again.
    async fn on_error(&self, e: &JupiterError) {
        if e.reject_kind() == Some(RejectKind::UnknownUser)
            && matches!(self.cfg.user, UserCredentials::Password(_))
        {
            *self.user.lock().await = None;
        }
    }

    pub fn cached_menu(&self) -> Option<Arc<JupiterMenu>> {
        self.menu.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The current menu: the cached one while `checkUpdate` says it is current, else getTT.
    pub async fn current_menu(&self) -> Result<Arc<JupiterMenu>, PosError> {
        if let Some(m) = self.cached_menu() {
            if !self.client.check_update(&m.settings_date).await? {
                return Ok(m);
            }
        }
        self.fetch_menu().await
    }

    /// getTT, unconditionally.
    pub async fn fetch_menu(&self) -> Result<Arc<JupiterMenu>, PosError> {
        let tt = self.client.get_tt().await?;
        let menu = Arc::new(build_menu_owned(tt, &self.cfg.menu_options()));
        tracing::info!(
            version = %menu.catalog.version,
            dishes = menu.catalog.dishes.len(),
            faults = menu.catalog.faults.len(),
            "Jupiter menu loaded"
        );
        *self.menu.write().unwrap_or_else(|p| p.into_inner()) = Some(menu.clone());
        Ok(menu)
    }

    /// The menu behind `catalog`: the cached one if it is that version, else a fresh getTT.
    async fn menu_for(&self, catalog: &Catalog) -> Result<Arc<JupiterMenu>, PosError> {
        match self.cached_menu() {
            Some(m) if m.catalog.version == catalog.version => Ok(m),
            _ => self.fetch_menu().await,
        }
    }

    fn remember(&self, order: &wire::Order) {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(order.uid.clone(), order.clone());
    }

    fn remembered(&self, uid: &str) -> Option<wire::Order> {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(uid)
            .cloned()
    }

    fn payment_type(&self, uid: &str) -> (String, bool) {
        if let Some(p) = self.cfg.payment_types.iter().find(|p| p.uid == uid) {
            return (p.name.clone(), p.cash);
        }
        if let Some(p) = self
            .cached_menu()
            .and_then(|m| m.payment_types.iter().find(|p| p.uid == uid).cloned())
        {
            return (p.name, p.cash);
        }
        // The name is for Jupiter's reports only; the uid is what identifies the type.
        (uid.to_string(), false)
    }

    fn vid(&self, cart: &Cart, ctx: &OrderContext) -> String {
        if let Some(kind) = ctx.order_kind.as_ref().filter(|k| !k.trim().is_empty()) {
            return kind.clone();
        }
        match cart.order_type {
            OrderType::EatIn => self.cfg.vid_eat_in.clone(),
            OrderType::Takeaway => self.cfg.vid_takeaway.clone(),
        }
    }

    async fn send_order(
        &self,
        user: &Secret,
        order: &wire::Order,
    ) -> Result<wire::Order, PosError> {
        match self.client.add_new_order(user, order).await {
            Ok(o) => {
                self.remember(&o);
                Ok(o)
            }
            Err(e) => {
                self.on_error(&e).await;
                Err(e.into())
            }
        }
    }

    /// One `get_closed_orders` for `uids`: which are closed, which are open, which Jupiter
    /// does not know. The engine calls this periodically (reference §8.8: every 10–30 s).
    pub async fn poll_status(&self, uids: &[String]) -> Result<StatusPoll, PosError> {
        let user = self.user_id().await?;
        let r = match self.client.get_closed_orders(&user, uids).await {
            Ok(r) => r,
            Err(e) => {
                self.on_error(&e).await;
                return Err(e.into());
            }
        };
        Ok(StatusPoll::from_response(uids, r))
    }

    /// Attaches a loyalty client by the code they show; the order must be in Jupiter already.
    pub async fn attach_client(
        &self,
        order_uid: &str,
        client_code: &str,
    ) -> Result<PosOrder, PosError> {
        let user = self.user_id().await?;
        let o = self
            .client
            .add_client_to_order(&user, client_code, order_uid)
            .await?;
        self.remember(&o);
        Ok(order::to_pos_order(&o))
    }

    fn closed_order(&self, uid: &str) -> PosOrder {
        match self.remembered(uid) {
            Some(o) if o.is_closed() => order::to_pos_order(&o),
            // Jupiter says closed but returns no totals, and this process never saw them.
            known => PosOrder {
                pos_order_id: uid.to_string(),
                external_id: Some(uid.to_string()),
                number: known.map(|o| o.num).filter(|n| !n.is_empty()),
                status: OrderStatus::Closed,
                total: Money::ZERO,
                paid: Money::ZERO,
                quote: None,
            },
        }
    }

    fn open_order(&self, o: &wire::OpenOrder) -> PosOrder {
        match self.remembered(&o.uid) {
            Some(known) if !known.is_closed() => PosOrder {
                total: o.sum_fakt,
                ..order::to_pos_order(&known)
            },
            _ => PosOrder {
                pos_order_id: o.uid.clone(),
                external_id: Some(o.uid.clone()),
                number: Some(o.name.clone()).filter(|n| !n.is_empty()),
                status: OrderStatus::Open,
                total: o.sum_fakt,
                paid: Money::ZERO,
                quote: None,
            },
        }
    }
}

#[async_trait]
impl Pos for JupiterPos {
    fn kind(&self) -> &'static str {
        "jupiter"
    }

    /// The order uid is our external id and line uids are fixed, so Jupiter merges a resend.
    fn resend_is_safe(&self) -> bool {
        true
    }

    /// `[pos] strategy = "submit_first"` (reference §8.4 B).
    fn submit_first(&self) -> bool {
        self.cfg.strategy == Strategy::SubmitFirst
    }

    /// getTT's `data.print_header`, the restaurant's own receipt header.
    fn print_header(&self) -> Option<String> {
        self.cached_menu()
            .map(|m| m.restaurant.print_header.trim().to_string())
            .filter(|h| !h.is_empty())
    }

    /// `checkUpdate` (is the server id registered, is the menu current) and the service user's
    /// login (does the user exist, is a workday open). A rejected credential is a field of the
    /// answer, not an error; an unreachable server is an error.
    async fn ping(&self) -> Result<PosInfo, PosError> {
        let started = Instant::now();
        let cached = self.cached_menu();
        let date = cached
            .as_ref()
            .map(|m| m.settings_date.clone())
            .unwrap_or_default();
        let mut info = PosInfo {
            pos: "jupiter".into(),
            gateway_version: None,
            backend_version: cached
                .as_ref()
                .map(|m| format!("menu {}", m.catalog.version)),
            cash_server_available: None,
            licence_valid: None,
            licence_expires: None,
            licence_message: None,
            token_valid: None,
            source_name: Some(self.cfg.source.clone()),
            latency_ms: 0,
        };
        match self.client.check_update(&date).await {
            Ok(update) => {
                info.token_valid = Some(true);
                if update && cached.is_some() {
                    info.licence_message = Some("a newer menu is available".into());
                }
            }
            Err(JupiterError::Rejected { message, .. }) => {
                info.token_valid = Some(false);
                info.licence_message = Some(message);
                info.latency_ms = started.elapsed().as_millis() as u32;
                return Ok(info);
            }
            Err(e) => return Err(e.into()),
        }
        info.latency_ms = started.elapsed().as_millis() as u32;
        // The user check: a fresh login says whether a workday is open; a configured uid can
        // only be checked by a harmless read.
        let user_check = match &self.cfg.user {
            UserCredentials::Password(pw) => self.client.get_user_id(pw).await.map(|l| {
                info.cash_server_available = Some(l.workday_id.is_some());
            }),
            UserCredentials::UserId(id) => self.client.get_closed_orders(id, &[]).await.map(|_| ()),
        };
        match user_check {
            Ok(()) => {}
            Err(JupiterError::Rejected { message, .. }) => {
                info.token_valid = Some(false);
                info.licence_message = Some(message);
            }
            Err(e) => return Err(e.into()),
        }
        Ok(info)
    }

    async fn menu(&self) -> Result<Catalog, PosError> {
        Ok(self.current_menu().await?.catalog.clone())
    }

    /// Local pricing from the menu (no network when the menu is cached).
    async fn price(
        &self,
        catalog: &Catalog,
        cart: &Cart,
        _ctx: &OrderContext,
    ) -> Result<Quote, PosError> {
        let menu = match self.cached_menu() {
            Some(m) => Some(m),
            // After a restart the kiosk may show a catalog from disk; weights and default
            // quantities need getTT. Without it the catalog's own counts still price the cart.
            None => self.fetch_menu().await.ok(),
        };
        Ok(pricing::price_cart(catalog, menu.as_deref(), cart)?.to_quote())
    }

    async fn place_order(
        &self,
        catalog: &Catalog,
        req: &OrderRequest,
    ) -> Result<PosOrder, PosError> {
        let uid = req.external_id.trim();
        if uid.is_empty() {
            return Err(PosError::Refused {
                reason: "the order has no external id".into(),
            });
        }
        let menu = self.menu_for(catalog).await?;
        let priced = pricing::price_cart(&menu.catalog, Some(&menu), &req.cart)?;
        if let (Some(p), Strategy::PayFirst) = (&req.payment, self.cfg.strategy) {
            if priced.total != p.receipt.amount {
                return Err(PosError::PriceChanged {
                    message: format!(
                        "the menu prices this order at {} but {} was charged; nothing was sent to Jupiter",
                        priced.total, p.receipt.amount
                    ),
                });
            }
        }
        let user = self.user_id().await?;
        let now = self.clock.now();
        let num = order::pickup_number(uid, req.short_comment.as_deref());
        let name = req
            .short_comment
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.chars().take(30).collect())
            .unwrap_or_else(|| num.clone());
        let header = OrderHeader {
            vid: self.vid(&req.cart, &req.context),
            source: self.cfg.source.clone(),
            staff_name: self.cfg.staff_name.clone(),
        };
        if req.comment.as_deref().is_some_and(|c| !c.trim().is_empty())
            || req.cart.lines.iter().any(|l| l.comment.is_some())
        {
            // ORDER_JSON has no comment field (S1): the kitchen will not see it.
            tracing::warn!(order = %uid, "order comments cannot be carried by JPOS and were dropped");
        }
        let draft = order::build_order(&priced, uid, &num, &name, &header, now);
        let opened = self.send_order(&user, &draft).await?;
        if opened.uid != uid {
            return Err(PosError::Malformed(format!(
                "Jupiter answered add_new_order for {uid} with order {:?}",
                opened.uid
            )));
        }

        let Some(payment) = &req.payment else {
            return Ok(order::to_pos_order(&opened));
        };
        if opened.is_closed() {
            // A replay: the order was closed by an earlier call whose answer was lost.
            return Ok(order::to_pos_order(&opened));
        }
        let paid = payment.receipt.amount;
        if opened.sum_fakt != paid {
            tracing::warn!(order = %uid, jupiter_total = %opened.sum_fakt, paid = %paid, "Jupiter total differs from the amount charged; order left open");
            return Err(PosError::TotalMismatch {
                pos_order_id: uid.to_string(),
                message: format!(
                    "Jupiter totals order {uid} at {} but {paid} was charged; the order is left open in Jupiter for staff",
                    opened.sum_fakt
                ),
            });
        }
        let (name, cash) = self.payment_type(&payment.tender);
        let row = order::payment_row(&payment.tender, &name, cash, paid, self.clock.now());
        let closing = order::closing_order(&opened, row, self.clock.now());
        let closed = self.send_order(&user, &closing).await?;
        let mut out = order::to_pos_order(&closed);
        if !closed.is_closed() {
            // ASSUMED to not happen; if Jupiter kept it open the status says so and the tracker
            // will see it close (or flag it) later.
            tracing::warn!(order = %uid, "Jupiter did not report the order closed after the closing request");
            out.status = OrderStatus::Open;
        }
        if let Some(q) = out.quote.as_mut() {
            q.source = QuoteSource::Pos;
        }
        Ok(out)
    }

    async fn find_order(&self, external_id: &str) -> Result<Option<PosOrder>, PosError> {
        let poll = self.poll_status(&[external_id.to_string()]).await?;
        if poll.closed.iter().any(|c| c == external_id) {
            return Ok(Some(self.closed_order(external_id)));
        }
        Ok(poll
            .open
            .iter()
            .find(|o| o.uid == external_id)
            .map(|o| self.open_order(o)))
    }

    /// With ids: those of them Jupiter knows, closed or open. Without: every open order of the
    /// service user (`open_orders`, also ones opened in Jupiter under the kiosk's user), which
    /// is all JPOS can list; closed orders are only reported for ids asked about.
    async fn orders(&self, pos_order_ids: &[String]) -> Result<Vec<PosOrder>, PosError> {
        let poll = self.poll_status(pos_order_ids).await?;
        if pos_order_ids.is_empty() {
            return Ok(poll.open.iter().map(|o| self.open_order(o)).collect());
        }
        Ok(pos_order_ids
            .iter()
            .filter_map(|id| {
                if poll.closed.contains(id) {
                    Some(self.closed_order(id))
                } else {
                    poll.open
                        .iter()
                        .find(|o| &o.uid == id)
                        .map(|o| self.open_order(o))
                }
            })
            .collect())
    }
}
