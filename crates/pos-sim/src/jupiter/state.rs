//! The simulated Jupiter: its settings, its state, and what each JPOS command does to it.
//!
//! Commands are plain functions from the request object to `Ok(fields of the answer)` or
//! `Err(message)` (rendered as Jupiter's `{"status":"error","message":...}`), so the rules can
//! be read in one place and tested without HTTP. Behaviour follows reference §5 and its
//! simulator specification (§9); the ASSUMED parts are commented where they are decided.

use std::collections::HashMap;
use std::time::Duration;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::macros::format_description;
use time::PrimitiveDateTime;

use super::menu::{MenuDoc, Product};
use super::orders::{
    close_date, parse_header, parse_line, parse_payments, text, Lock, LoyaltyClient, RenderOpts,
    SimOrder,
};

// The error texts: CONFIRMED by S1 where the reference says so, ASSUMED otherwise (§6).
pub const E_UNKNOWN_SERVER: &str = "SERVER_ID не зарегистрирован";
pub const E_BAD_PASSWORD: &str = "Пользователя с таким паролем не существует";
pub const E_UNKNOWN_USER: &str = "Пользователь с таким id не существует";
pub const E_NO_WORKDAY: &str = "Не найден открытый рабочий день";
pub const E_CLIENT_NOT_FOUND: &str = "Клиент не найден";
pub const E_ORDER_NOT_FOUND: &str = "Заказ не найден";
pub const E_ORDER_CLOSED: &str = "Заказ закрыт";
pub const E_BILL_PRINTED: &str = "По заказу напечатан счет";
pub const E_GOODS_CLOSED: &str = "Товарная часть заказа закрыта";
pub const E_LOCKED: &str = "Заказ редактируется на другом рабочем месте";
pub const E_UNKNOWN_COMMAND: &str = "Неизвестная команда";
pub const E_BAD_REQUEST: &str = "Некорректный запрос";

/// A staff member: `get_user_id` finds them by password or by magnetic-card track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    pub name: String,
    pub password: String,
    #[serde(default)]
    pub card_track: Option<String>,
    pub user_id: String,
}

/// An automatic discount: `percent` off every order whose `source` matches (all orders when
/// `source` is `None`), applied when the order is created and kept up to date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountRule {
    pub name: String,
    pub percent: Decimal,
    #[serde(default)]
    pub source: Option<String>,
}

/// Output quirks a real PHP endpoint may show (reference §1.3, §3, §9).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Quirks {
    /// A UTF-8 BOM and a PHP notice before the JSON, served as `text/html`.
    pub php_noise: bool,
    /// Non-ASCII as `\uXXXX` and `/` as `\/`.
    pub escape_unicode: bool,
    /// No client as `"client": []`.
    pub client_as_array: bool,
    /// Whole amounts without decimals (`"300"`), as in the vendor's sample.
    pub mixed_money_format: bool,
    /// getTT numbers (prices, flags, weights) sent as strings.
    pub numbers_as_strings: bool,
    /// checkUpdate alternates yes/no whatever the date.
    pub check_update_flapping: bool,
    /// Image links left relative (`/images/...`) instead of absolute.
    pub relative_images: bool,
}

/// Behaviour switches; all of them can be changed while the server runs (`/_sim/config`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JupiterSettings {
    /// Registered SERVER_IDs.
    pub server_ids: Vec<String>,
    pub staff: Vec<Staff>,
    pub clients: Vec<LoyaltyClient>,
    pub discounts: Vec<DiscountRule>,
    /// A closed add_new_order for an order never sent open is refused (ASSUMED off, §5.4).
    pub strict_close: bool,
    /// Price lines with the client's `price_rozn` instead of the menu's.
    pub trust_client_prices: bool,
    /// get_user_id fails without an open workday (ASSUMED default: it returns `workday_id ""`).
    pub login_requires_workday: bool,
    /// Locks expire after this long (ASSUMED none by default, §5.8).
    pub lock_ttl_seconds: Option<u64>,
    pub quirks: Quirks,
}

/// The default server id (the one in S1's examples).
pub const SERVER_ID: &str = "25162093";
/// The kiosk's service user in the default staff list.
pub const KIOSK_PASSWORD: &str = "1111";
pub const KIOSK_USER: &str = "4:1:0:14";

impl Default for JupiterSettings {
    fn default() -> Self {
        let staff = |name: &str, password: &str, track: Option<&str>, user_id: &str| Staff {
            name: name.into(),
            password: password.into(),
            card_track: track.map(Into::into),
            user_id: user_id.into(),
        };
        JupiterSettings {
            server_ids: vec![SERVER_ID.into(), "12345678".into(), "5123123".into()],
            staff: vec![
                staff("Киоск 1", KIOSK_PASSWORD, None, KIOSK_USER),
                staff(
                    "Трофимова В.А.",
                    "11112",
                    Some(";7001234567=0000?"),
                    "4:1:0:15",
                ),
                staff("Пикаров Б.К.", "2222", None, "4:1:0:16"),
            ],
            clients: vec![
                LoyaltyClient {
                    code: "1234".into(),
                    client_uid: "4:1:0:10221".into(),
                    id: "8765456".into(),
                    name: "Святослав".into(),
                    card: "1234".into(),
                    bonus: Decimal::from(100),
                    discount_percent: Decimal::TEN,
                },
                LoyaltyClient {
                    code: "834-112".into(),
                    client_uid: "4:1:0:10222".into(),
                    id: "8765457".into(),
                    name: "Анна".into(),
                    card: "5678".into(),
                    bonus: Decimal::new(25050, 2),
                    discount_percent: Decimal::from(5),
                },
            ],
            discounts: vec![],
            strict_close: false,
            trust_client_prices: false,
            login_requires_workday: false,
            lock_ttl_seconds: None,
            quirks: Quirks::default(),
        }
    }
}

/// What the simulated Jupiter starts with.
#[derive(Debug, Clone)]
pub struct JupiterSimConfig {
    pub menu: MenuDoc,
    pub settings: JupiterSettings,
    pub workday_open: bool,
}

impl JupiterSimConfig {
    /// The demo restaurant ([`MenuDoc::demo`]), with pictures: what [`crate::SimConfig`]'s
    /// default and the `pos-sim` binary serve.
    pub fn demo() -> JupiterSimConfig {
        JupiterSimConfig {
            menu: MenuDoc::demo(),
            ..JupiterSimConfig::default()
        }
    }
}

impl Default for JupiterSimConfig {
    /// The vendor's seed menu ([`MenuDoc::seed`]): three dishes, no pictures, every quirk of
    /// reference §5.2.7. It stays the default of this struct because client contract tests
    /// compare what is served with the vendor's text; a demo asks for [`JupiterSimConfig::demo`].
    fn default() -> Self {
        JupiterSimConfig {
            menu: MenuDoc::seed(),
            settings: JupiterSettings::default(),
            workday_open: true,
        }
    }
}

/// One slip sent to a printer: the kitchen ticket for new lines, or the bill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrintJob {
    /// `kitchen` or `bill`.
    pub kind: String,
    pub order_uid: String,
    /// Line uids on a kitchen ticket.
    pub lines: Vec<String>,
    pub at: String,
}

pub struct State {
    pub settings: JupiterSettings,
    pub menu: MenuDoc,
    index: HashMap<String, Product>,
    pub workday: Option<String>,
    seq: u64,
    pub orders: Vec<SimOrder>,
    pub prints: Vec<PrintJob>,
    flap: bool,
}

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

pub fn now() -> PrimitiveDateTime {
    let t = crate::clock::now();
    PrimitiveDateTime::new(t.date(), t.time())
}

pub fn now_string() -> String {
    now().format(DATE).unwrap_or_default()
}

impl State {
    pub fn new(cfg: JupiterSimConfig) -> State {
        let index = cfg.menu.index();
        let mut s = State {
            settings: cfg.settings,
            menu: cfg.menu,
            index,
            workday: None,
            seq: 747_530,
            orders: Vec::new(),
            prints: Vec::new(),
            flap: false,
        };
        if cfg.workday_open {
            s.open_workday();
        }
        s
    }

    fn next(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Opens a new workday (a new uid each time); open orders carry over (S5).
    pub fn open_workday(&mut self) -> String {
        let id = format!("5:3:0:{}", self.next());
        self.workday = Some(id.clone());
        id
    }

    pub fn close_workday(&mut self) {
        self.workday = None;
    }

    /// Replaces the menu; the settings date moves on so `checkUpdate` says "yes".
    pub fn replace_menu(&mut self, menu: MenuDoc) {
        let previous = self.menu.settings_date();
        self.menu = menu;
        self.bump_settings_date(&previous);
    }

    pub fn set_price(&mut self, uid: &str, price: Decimal) -> bool {
        let previous = self.menu.settings_date();
        if !self.menu.set_price(uid, price) {
            return false;
        }
        self.bump_settings_date(&previous);
        true
    }

    /// Takes product `uid` off the layouts or puts it back, as staff do in Jupiter when a dish
    /// sells out (JPOS has no stop-list, §8.2); the settings date moves on when that changes
    /// what getTT shows. False if there is no such product.
    pub fn set_sold_out(&mut self, uid: &str, sold_out: bool) -> bool {
        if !self.index.contains_key(uid) {
            return false;
        }
        if self.menu.sold_out.contains(uid) != sold_out {
            let previous = self.menu.settings_date();
            self.menu.set_sold_out(uid, sold_out);
            self.bump_settings_date(&previous);
        }
        true
    }

    /// Now, or one second after the previous date if now is not later (two edits in a second).
    fn bump_settings_date(&mut self, previous: &str) {
        // Whole seconds: the format has no fraction, and "later" must show in the text.
        let now = now().replace_nanosecond(0).unwrap_or_else(|_| now());
        let next = match PrimitiveDateTime::parse(previous, DATE) {
            Ok(p) if p >= now => p + Duration::from_secs(1),
            _ => now,
        };
        self.menu
            .set_settings_date(&next.format(DATE).unwrap_or_default());
        self.index = self.menu.index();
    }

    pub fn render_opts(&self) -> RenderOpts {
        RenderOpts {
            mixed_money: self.settings.quirks.mixed_money_format,
            client_as_array: self.settings.quirks.client_as_array,
        }
    }

    pub fn order(&self, uid: &str) -> Option<&SimOrder> {
        self.orders
            .iter()
            .find(|o| o.uid == uid || o.jupiter_uid == uid)
    }

    fn order_mut(&mut self, uid: &str) -> Option<&mut SimOrder> {
        self.orders
            .iter_mut()
            .find(|o| o.uid == uid || o.jupiter_uid == uid)
    }

    /// Runs one command; `base` (`http://host:port`) makes getTT's image links absolute.
    pub fn handle(&mut self, req: &Value, base: &str) -> Result<Value, String> {
        let command = text(req, "command");
        match command.as_str() {
            "checkUpdate" => self.check_update(req),
            "getTT" => self.get_tt(req, base),
            "get_user_id" => self.get_user_id(req),
            "add_new_order" => self.add_new_order(req, false),
            "print_bill" => self.add_new_order(req, true),
            "get_closed_orders" => self.get_closed_orders(req),
            "lock_order" => self.lock_order(req),
            "unlock_order" => self.unlock_order(req),
            "add_client_to_order" => self.add_client_to_order(req),
            _ => Err(E_UNKNOWN_COMMAND.into()),
        }
    }

    /// `serverId` and `server_id` are aliases everywhere (reference §1.2). Required where S1
    /// shows one; checked when present elsewhere (lock/unlock).
    fn check_server(&self, req: &Value, required: bool) -> Result<(), String> {
        let id = [text(req, "serverId"), text(req, "server_id")]
            .into_iter()
            .find(|s| !s.trim().is_empty());
        match id {
            None if !required => Ok(()),
            Some(id) if self.settings.server_ids.contains(&id) => Ok(()),
            _ => Err(E_UNKNOWN_SERVER.into()),
        }
    }

    fn check_user(&self, req: &Value) -> Result<String, String> {
        let user = text(req, "user_id");
        if self
            .settings
            .staff
            .iter()
            .any(|s| s.user_id == user && !user.is_empty())
        {
            Ok(user)
        } else {
            Err(E_UNKNOWN_USER.into())
        }
    }

    fn check_workday(&self) -> Result<(), String> {
        self.workday
            .as_ref()
            .map(|_| ())
            .ok_or_else(|| E_NO_WORKDAY.to_string())
    }

    fn check_update(&mut self, req: &Value) -> Result<Value, String> {
        self.check_server(req, true)?;
        let update = if self.settings.quirks.check_update_flapping {
            self.flap = !self.flap;
            self.flap
        } else {
            // ASSUMED server rule (§5.1): any difference, in either direction.
            text(req, "date_from_request") != self.menu.settings_date()
        };
        Ok(json!({"update": if update { "yes" } else { "no" }}))
    }

    fn get_tt(&mut self, req: &Value, base: &str) -> Result<Value, String> {
        self.check_server(req, true)?;
        let mut menu = self
            .menu
            .rendered_menu(base, self.settings.quirks.relative_images);
        if self.settings.quirks.numbers_as_strings {
            numbers_to_strings(&mut menu);
        }
        Ok(json!({"data": self.menu.data, "menu": menu}))
    }

    fn get_user_id(&mut self, req: &Value) -> Result<Value, String> {
        self.check_server(req, true)?;
        // The password is compared exactly as sent: S1 says nothing of trimming.
        let password = text(req, "password");
        let staff = self
            .settings
            .staff
            .iter()
            .find(|s| {
                !password.is_empty()
                    && (s.password == password || s.card_track.as_deref() == Some(&password))
            })
            .ok_or_else(|| E_BAD_PASSWORD.to_string())?;
        if self.settings.login_requires_workday {
            self.check_workday()?;
        }
        Ok(
            json!({"user_id": staff.user_id, "workday_id": self.workday.clone().unwrap_or_default()}),
        )
    }

    fn discount_rules(
        &self,
        source: &str,
        client: Option<&LoyaltyClient>,
    ) -> Vec<(String, Decimal)> {
        let mut rules: Vec<(String, Decimal)> = self
            .settings
            .discounts
            .iter()
            .filter(|r| r.source.as_deref().is_none_or(|s| s == source))
            .map(|r| (r.name.clone(), r.percent))
            .collect();
        if let Some(c) = client.filter(|c| !c.discount_percent.is_zero()) {
            rules.push((
                format!("Скидка клиента {}%", c.discount_percent.normalize()),
                c.discount_percent,
            ));
        }
        rules
    }

    fn locked_by_other(&self, o: &SimOrder, user: &str) -> bool {
        match &o.lock {
            Some(l) if l.user != user => match self.settings.lock_ttl_seconds {
                Some(ttl) => l.at.elapsed() < Duration::from_secs(ttl),
                None => true,
            },
            _ => false,
        }
    }

    /// Menu prices unless the switch says to trust the client (then its `price_rozn` stays).
    fn reprice(&self, line: &mut super::orders::SimLine) {
        if !self.settings.trust_client_prices {
            if let Some(p) = self.index.get(&line.product_uid) {
                line.price_rozn = p.price;
                if line.product.is_empty() {
                    line.product = p.name.clone();
                }
            }
        }
        for m in &mut line.modifiers {
            self.reprice(m);
        }
    }

    /// add_new_order and print_bill (§5.4, §5.5).
    fn add_new_order(&mut self, req: &Value, print_bill: bool) -> Result<Value, String> {
        self.check_server(req, true)?;
        let user = self.check_user(req)?;
        self.check_workday()?;
        let order = req
            .get("order")
            .filter(|o| o.is_object())
            .ok_or(E_BAD_REQUEST)?;
        let uid = text(order, "uid");
        if uid.trim().is_empty() {
            return Err(E_BAD_REQUEST.into());
        }
        let closing = close_date(order);
        let mut lines = Vec::new();
        if let Some(Value::Array(items)) = order.get("order_line") {
            for l in items {
                let mut line = parse_line(l, true)?;
                self.reprice(&mut line);
                lines.push(line);
            }
        }
        let now = now_string();
        let existing = self
            .orders
            .iter()
            .position(|o| o.uid == uid || o.jupiter_uid == uid);
        let index = match existing {
            None => {
                if !closing.is_empty() && self.settings.strict_close {
                    return Err(E_ORDER_NOT_FOUND.into());
                }
                let n = self.next();
                let mut o = SimOrder {
                    uid: uid.clone(),
                    jpos_uid: Some(uid.clone()),
                    jupiter_uid: format!("5:2:0:{n}"),
                    kod: (n % 100_000).to_string(),
                    owner: user.clone(),
                    header: parse_header(order),
                    close_date: String::new(),
                    lines: Vec::new(),
                    client: None,
                    payments: vec![],
                    discounts: vec![],
                    sum_rozn: Decimal::ZERO,
                    sum_fakt: Decimal::ZERO,
                    sum_skidki: Decimal::ZERO,
                    bill_printed: false,
                    lock: None,
                    closed_unseen: !closing.is_empty(),
                };
                if o.closed_unseen {
                    // ASSUMED (§5.4): accepted, but nothing is printed and no discount applies.
                    tracing::warn!(order = %uid, "closed order received without an open send first");
                    o.lines = lines;
                    o.recompute(&[], &now);
                } else {
                    o.lines = lines;
                    let new: Vec<String> = o.lines.iter().map(|l| l.uid.clone()).collect();
                    for l in &mut o.lines {
                        l.printed = true;
                    }
                    let rules = self.discount_rules(&o.header.source, None);
                    o.recompute(&rules, &now);
                    self.print_kitchen(&uid, new, &now);
                }
                self.orders.push(o);
                self.orders.len() - 1
            }
            Some(i) => {
                if self.locked_by_other(&self.orders[i], &user) {
                    return Err(E_LOCKED.into());
                }
                let o = &self.orders[i];
                let new: Vec<_> = lines.into_iter().filter(|l| !o.has_line(&l.uid)).collect();
                if o.is_closed() {
                    if !new.is_empty() {
                        return Err(E_ORDER_CLOSED.into());
                    }
                    // An idempotent replay of a closed order (ASSUMED §5.4).
                    return Ok(json!({"order": o.render(self.render_opts())}));
                }
                if o.bill_printed && !new.is_empty() {
                    return Err(E_GOODS_CLOSED.into());
                }
                let new_uids: Vec<String> = new.iter().map(|l| l.uid.clone()).collect();
                let rules_source = text(order, "source");
                let header = parse_header(order);
                let client = o.client.clone();
                let rules = self.discount_rules(&rules_source, client.as_ref());
                let o = &mut self.orders[i];
                // Client-owned header fields follow the latest send; open_date and the
                // computed fields stay Jupiter's.
                o.header = super::orders::Header {
                    open_date: o.header.open_date.clone(),
                    date: o.header.date.clone(),
                    ..header
                };
                for mut l in new {
                    l.printed = true;
                    o.lines.push(l);
                }
                o.recompute(&rules, &now);
                if !new_uids.is_empty() {
                    self.print_kitchen(&uid, new_uids, &now);
                }
                i
            }
        };
        if !closing.is_empty() && !self.orders[index].is_closed() {
            let o = &mut self.orders[index];
            o.payments = parse_payments(order);
            for p in &mut o.payments {
                if p.uid.is_empty() {
                    p.uid = format!("5:62:0:{}", 99_650 + p.id.parse::<u64>().unwrap_or(0));
                }
            }
            o.close_date = closing;
            o.lock = None;
            if o.paid() != o.sum_fakt {
                // ASSUMED: the real result is unknown (§8.4); the simulator records it.
                tracing::warn!(order = %o.uid, paid = %o.paid(), total = %o.sum_fakt, "order closed with payments that differ from its total");
            }
        }
        if print_bill {
            let o = &mut self.orders[index];
            o.bill_printed = true;
            let uid = o.uid.clone();
            self.prints.push(PrintJob {
                kind: "bill".into(),
                order_uid: uid,
                lines: vec![],
                at: now,
            });
        }
        Ok(json!({"order": self.orders[index].render(self.render_opts())}))
    }

    fn print_kitchen(&mut self, uid: &str, lines: Vec<String>, now: &str) {
        self.prints.push(PrintJob {
            kind: "kitchen".into(),
            order_uid: uid.to_string(),
            lines,
            at: now.to_string(),
        });
    }

    /// §5.7: the asked-for ids that are closed, and every open order of the user.
    fn get_closed_orders(&mut self, req: &Value) -> Result<Value, String> {
        self.check_server(req, true)?;
        let user = self.check_user(req)?;
        let asked: Vec<String> = match req.get("orders") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect(),
            _ => vec![],
        };
        let closed: Vec<&str> = asked
            .iter()
            .filter(|u| self.order(u).is_some_and(SimOrder::is_closed))
            .map(String::as_str)
            .collect();
        let m = self.settings.quirks.mixed_money_format;
        let open: Vec<Value> = self
            .orders
            .iter()
            .filter(|o| !o.is_closed() && o.owner == user)
            .map(|o| {
                json!({
                    "uid": o.uid,
                    "open_time": o.header.open_date.get(11..16).unwrap_or(""),
                    "name": o.header.name,
                    "sum_fakt": super::orders::money(o.sum_fakt, m),
                })
            })
            .collect();
        Ok(json!({"closed_orders": closed, "open_orders": open}))
    }

    /// §5.8: checks and sets the lock; an unknown order is a success without `order`.
    fn lock_order(&mut self, req: &Value) -> Result<Value, String> {
        self.check_server(req, false)?;
        let user = self.check_user(req)?;
        let uid = text(req, "order_uid");
        let Some(o) = self.order(&uid) else {
            return Ok(json!({}));
        };
        if o.is_closed() {
            return Err(E_ORDER_CLOSED.into());
        }
        if o.bill_printed {
            return Err(E_BILL_PRINTED.into());
        }
        if self.locked_by_other(o, &user) {
            return Err(E_LOCKED.into());
        }
        let opts = self.render_opts();
        let o = self.order_mut(&uid).expect("found above");
        o.lock = Some(Lock {
            user,
            at: std::time::Instant::now(),
        });
        Ok(json!({"order": o.render_lock_variant(opts)}))
    }

    /// §5.9: clears the user's own lock; anything else is a quiet success.
    fn unlock_order(&mut self, req: &Value) -> Result<Value, String> {
        self.check_server(req, false)?;
        let user = self.check_user(req)?;
        let uid = text(req, "order_uid");
        if let Some(o) = self.order_mut(&uid) {
            if o.lock.as_ref().is_some_and(|l| l.user == user) {
                o.lock = None;
            }
        }
        Ok(json!({}))
    }

    /// §5.6: attaches (or replaces) the client and applies their discount.
    fn add_client_to_order(&mut self, req: &Value) -> Result<Value, String> {
        self.check_server(req, true)?;
        let user = self.check_user(req)?;
        self.check_workday()?;
        let uid = text(req, "order_uid");
        let Some(o) = self.order(&uid) else {
            return Err(E_ORDER_NOT_FOUND.into());
        };
        if o.is_closed() {
            return Err(E_ORDER_CLOSED.into());
        }
        if self.locked_by_other(o, &user) {
            return Err(E_LOCKED.into());
        }
        let code = text(req, "client_id");
        let client = self
            .settings
            .clients
            .iter()
            .find(|c| c.code == code && !code.is_empty())
            .cloned()
            .ok_or_else(|| E_CLIENT_NOT_FOUND.to_string())?;
        let rules = self.discount_rules(&o.header.source, Some(&client));
        let opts = self.render_opts();
        let now = now_string();
        let o = self.order_mut(&uid).expect("found above");
        o.client = Some(client);
        o.recompute(&rules, &now);
        Ok(json!({"order": o.render(opts)}))
    }

    /// An order opened at the cash desk: a Jupiter uid and no JPOS id (admin endpoint).
    pub fn open_cash_desk_order(
        &mut self,
        owner: &str,
        name: &str,
        items: &[(String, Decimal)],
    ) -> Result<String, String> {
        if !self.settings.staff.iter().any(|s| s.user_id == owner) {
            return Err(E_UNKNOWN_USER.into());
        }
        let n = self.next();
        let uid = format!("5:2:0:{n}");
        let now = now_string();
        let mut lines = Vec::new();
        for (i, (product, qty)) in items.iter().enumerate() {
            let p = self
                .index
                .get(product)
                .ok_or_else(|| format!("нет товара {product}"))?;
            lines.push(super::orders::SimLine {
                uid: (i + 1).to_string(),
                date: now.clone(),
                product_uid: product.clone(),
                product_code: None,
                product_tax: Some("0".into()),
                product: p.name.clone(),
                group: String::new(),
                subgroup: String::new(),
                price_rozn: p.price,
                price_fakt: p.price,
                quantity: *qty,
                sum_rozn: Decimal::ZERO,
                sum_fakt: Decimal::ZERO,
                printed: true,
                modifiers: vec![],
            });
        }
        let mut o = SimOrder {
            uid: uid.clone(),
            jpos_uid: None,
            jupiter_uid: uid.clone(),
            kod: (n % 100_000).to_string(),
            owner: owner.to_string(),
            header: super::orders::Header {
                num: (n % 1000).to_string(),
                date: now.clone(),
                open_date: now.clone(),
                name: name.to_string(),
                vid: "Обычный заказ".into(),
                kind: "Заказ".into(),
                source: "Касса".into(),
                ..Default::default()
            },
            close_date: String::new(),
            lines,
            client: None,
            payments: vec![],
            discounts: vec![],
            sum_rozn: Decimal::ZERO,
            sum_fakt: Decimal::ZERO,
            sum_skidki: Decimal::ZERO,
            bill_printed: false,
            lock: None,
            closed_unseen: false,
        };
        let rules = self.discount_rules("Касса", None);
        o.recompute(&rules, &now);
        self.orders.push(o);
        Ok(uid)
    }

    /// Staff close the order in Jupiter, paid in full with `pay_type_uid`.
    pub fn close_order(&mut self, uid: &str, pay_type_uid: &str) -> Result<(), String> {
        let now = now_string();
        let o = self
            .order_mut(uid)
            .ok_or_else(|| E_ORDER_NOT_FOUND.to_string())?;
        if o.is_closed() {
            return Err(E_ORDER_CLOSED.into());
        }
        o.payments = vec![super::orders::SimPayment {
            uid: "5:62:0:99651".into(),
            id: "1".into(),
            date: now.clone(),
            name: "Оплата на кассе".into(),
            pay_type_uid: pay_type_uid.to_string(),
            cash: false,
            sum: o.sum_fakt,
            change: Decimal::ZERO,
        }];
        o.close_date = now;
        o.lock = None;
        Ok(())
    }

    /// `GET /_sim/orders`: every order with what the wire does not show.
    pub fn orders_view(&self) -> Value {
        let opts = self.render_opts();
        Value::Array(
            self.orders
                .iter()
                .map(|o| {
                    json!({
                        "uid": o.uid,
                        "jpos_uid": o.jpos_uid,
                        "jupiter_uid": o.jupiter_uid,
                        "kod": o.kod,
                        "owner": o.owner,
                        "closed": o.is_closed(),
                        "closed_unseen": o.closed_unseen,
                        "bill_printed": o.bill_printed,
                        "locked_by": o.lock.as_ref().map(|l| l.user.clone()),
                        "client": o.client.as_ref().map(|c| c.code.clone()),
                        "total": super::orders::money(o.sum_fakt, false),
                        "paid": super::orders::money(o.paid(), false),
                        "order": o.render(opts),
                    })
                })
                .collect(),
        )
    }
}

/// Every number in the value becomes a string (the `numbers_as_strings` quirk).
fn numbers_to_strings(v: &mut Value) {
    match v {
        Value::Number(n) => *v = Value::String(n.to_string()),
        Value::Array(a) => a.iter_mut().for_each(numbers_to_strings),
        Value::Object(o) => o.values_mut().for_each(numbers_to_strings),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State::new(JupiterSimConfig {
            menu: MenuDoc::generated(16),
            ..Default::default()
        })
    }

    fn order_req(uid: &str, lines: Value, close: &str) -> Value {
        json!({
            "command": "add_new_order", "serverId": SERVER_ID, "user_id": KIOSK_USER,
            "order": {"uid": uid, "close_date": close, "source": "Киоск", "order_line": lines,
                      "order_payment": [{"id": "1", "pay_type_uid": "2:1:0:31", "sum": "149.50", "cash": "0"}]}
        })
    }

    #[test]
    fn merge_adds_unknown_lines_only_and_prints_them_once() {
        let mut s = state();
        let l1 =
            json!([{"uid": "1", "product_uid": "3:1:0:1003", "quantity": "1", "price_rozn": "1"}]);
        let r = s.handle(&order_req("a", l1.clone(), ""), "").unwrap();
        assert_eq!(
            r["order"]["sum_fakt"], "191.50",
            "priced from the menu, not the client"
        );
        s.handle(&order_req("a", l1, ""), "").unwrap();
        assert_eq!(s.orders[0].lines.len(), 1);
        assert_eq!(s.prints.len(), 1);
        let l2 = json!([{"uid": "1", "product_uid": "3:1:0:1003", "quantity": "5"},
                        {"uid": "2", "product_uid": "3:1:0:1003", "quantity": "1"}]);
        s.handle(&order_req("a", l2, ""), "").unwrap();
        assert_eq!(s.orders[0].lines.len(), 2);
        assert_eq!(
            s.orders[0].lines[0].quantity,
            Decimal::ONE,
            "known lines are never changed"
        );
        assert_eq!(s.prints[1].lines, vec!["2"]);
    }

    #[test]
    fn closing_replays_and_refuses_new_lines() {
        let mut s = state();
        let l1 = json!([{"uid": "1", "product_uid": "3:1:0:1003", "quantity": "1"}]);
        s.handle(&order_req("a", l1.clone(), ""), "").unwrap();
        let r = s
            .handle(&order_req("a", l1.clone(), "2024-01-01 10:00:00"), "")
            .unwrap();
        assert_eq!(r["order"]["order_payment"][0]["sum"], "149.50");
        assert!(s.orders[0].is_closed());
        assert!(s
            .handle(&order_req("a", l1, "2024-01-01 10:00:00"), "")
            .is_ok());
        let l2 = json!([{"uid": "9", "product_uid": "3:1:0:1003", "quantity": "1"}]);
        assert_eq!(
            s.handle(&order_req("a", l2, ""), "").unwrap_err(),
            E_ORDER_CLOSED
        );
    }

    #[test]
    fn workday_users_and_servers_are_checked() {
        let mut s = state();
        let l = json!([{"uid": "1", "product_uid": "3:1:0:1003", "quantity": "1"}]);
        let mut bad = order_req("a", l.clone(), "");
        bad["serverId"] = json!("1");
        assert_eq!(s.handle(&bad, "").unwrap_err(), E_UNKNOWN_SERVER);
        let mut bad = order_req("a", l.clone(), "");
        bad["user_id"] = json!("4:1:0:999");
        assert_eq!(s.handle(&bad, "").unwrap_err(), E_UNKNOWN_USER);
        s.close_workday();
        assert_eq!(
            s.handle(&order_req("a", l, ""), "").unwrap_err(),
            E_NO_WORKDAY
        );
        let login =
            json!({"command": "get_user_id", "server_id": SERVER_ID, "password": KIOSK_PASSWORD});
        assert_eq!(s.handle(&login, "").unwrap()["workday_id"], "");
    }

    #[test]
    fn a_closed_order_never_sent_open_is_accepted_unless_strict() {
        let mut s = state();
        let l = json!([{"uid": "1", "product_uid": "3:1:0:1003", "quantity": "1"}]);
        let r = s
            .handle(&order_req("c", l.clone(), "2024-01-01 10:00:00"), "")
            .unwrap();
        assert_ne!(r["order"]["close_date"], "");
        assert!(s.orders[0].closed_unseen);
        assert!(s.prints.is_empty(), "no kitchen ticket for it");
        s.settings.strict_close = true;
        let e = s
            .handle(&order_req("d", l, "2024-01-01 10:00:00"), "")
            .unwrap_err();
        assert_eq!(e, E_ORDER_NOT_FOUND);
    }

    #[test]
    fn locks_expire_only_with_a_ttl() {
        let mut s = state();
        let l = json!([{"uid": "1", "product_uid": "3:1:0:1003", "quantity": "1"}]);
        s.handle(&order_req("a", l, ""), "").unwrap();
        let lock = |user: &str| json!({"command": "lock_order", "user_id": user, "order_uid": "a"});
        assert!(s.handle(&lock(KIOSK_USER), "").is_ok());
        assert_eq!(s.handle(&lock("4:1:0:15"), "").unwrap_err(), E_LOCKED);
        s.settings.lock_ttl_seconds = Some(0);
        assert!(
            s.handle(&lock("4:1:0:15"), "").is_ok(),
            "an expired lock is taken over"
        );
    }

    #[test]
    fn login_can_require_a_workday() {
        let mut s = state();
        s.settings.login_requires_workday = true;
        s.close_workday();
        let login =
            json!({"command": "get_user_id", "serverId": SERVER_ID, "password": KIOSK_PASSWORD});
        assert_eq!(s.handle(&login, "").unwrap_err(), E_NO_WORKDAY);
        let id = s.open_workday();
        assert_eq!(s.handle(&login, "").unwrap()["workday_id"], id);
    }

    #[test]
    fn menu_edits_move_the_settings_date_forward() {
        let mut s = state();
        let before = s.menu.settings_date();
        assert!(s.set_price("3:1:0:1003", Decimal::from(5)));
        let after = s.menu.settings_date();
        assert!(after > before);
        s.replace_menu(MenuDoc::generated(3));
        assert!(
            s.menu.settings_date() > after,
            "even when edits come within one second"
        );
        let check =
            json!({"command": "checkUpdate", "server_id": SERVER_ID, "date_from_request": after});
        assert_eq!(s.handle(&check, "").unwrap()["update"], "yes");
    }
}
