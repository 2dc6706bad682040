//! Orders as the simulated Jupiter keeps them, and ORDER_JSON in and out.
//!
//! Input is read leniently (strings or numbers, missing keys); output follows the documented
//! representation exactly: every amount a string with two decimals (or, with the
//! `mixed_money_format` quirk, whole amounts without decimals as in the vendor's sample), every
//! quantity and flag a string. The `lock_order` answer uses the variant format of reference
//! §4.6: extra `kod` and `status`, modifiers flattened into `order_line`, payment `summa`.
//!
//! Totals keep the identities of reference §4.4: `sum_rozn = Σ line + Σ modifier sums`,
//! `sum_skidki = sum_rozn − sum_fakt = Σ order_discounts`. A percentage discount is rounded
//! per row, half away from zero, and the remainder goes on the last row so the sums agree.

use std::time::Instant;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::menu::decimal;

pub fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// An order line or a modifier row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimLine {
    pub uid: String,
    pub date: String,
    pub product_uid: String,
    pub product_code: Option<String>,
    pub product_tax: Option<String>,
    pub product: String,
    pub group: String,
    pub subgroup: String,
    pub price_rozn: Decimal,
    pub price_fakt: Decimal,
    /// For a modifier row: per unit of the parent line.
    pub quantity: Decimal,
    pub sum_rozn: Decimal,
    pub sum_fakt: Decimal,
    /// Sent to the kitchen (`block_change "1"`).
    pub printed: bool,
    pub modifiers: Vec<SimLine>,
}

/// Header fields the client owns; the server takes the latest values it is sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Header {
    pub num: String,
    pub date: String,
    pub hour: String,
    pub day_week: String,
    pub open_date: String,
    pub vid: String,
    pub kind: String,
    pub name: String,
    pub source: String,
    pub waiter: String,
    pub cashier: String,
    pub address: String,
    pub coordinates: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimPayment {
    pub uid: String,
    pub id: String,
    pub date: String,
    pub name: String,
    pub pay_type_uid: String,
    pub cash: bool,
    pub sum: Decimal,
    pub change: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiscountLine {
    pub date: String,
    pub name: String,
    pub sum: Decimal,
}

/// A loyalty client of the simulated restaurant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoyaltyClient {
    /// The code the guest shows (what `add_client_to_order` sends as `client_id`).
    pub code: String,
    pub client_uid: String,
    pub id: String,
    pub name: String,
    pub card: String,
    pub bonus: Decimal,
    /// The client's discount, in percent.
    pub discount_percent: Decimal,
}

/// A lock: the "workstation" is the staff uid (CONFIRMED S1).
#[derive(Debug, Clone)]
pub struct Lock {
    pub user: String,
    pub at: Instant,
}

#[derive(Debug, Clone)]
pub struct SimOrder {
    /// The id clients use: the JPOS uid, or the Jupiter uid for orders opened in Jupiter.
    pub uid: String,
    /// `None` for an order opened at the cash desk (no JPOS id).
    pub jpos_uid: Option<String>,
    pub jupiter_uid: String,
    pub kod: String,
    /// The user that created the order; `open_orders` is filtered by it.
    pub owner: String,
    pub header: Header,
    pub close_date: String,
    pub lines: Vec<SimLine>,
    pub client: Option<LoyaltyClient>,
    pub payments: Vec<SimPayment>,
    pub discounts: Vec<DiscountLine>,
    pub sum_rozn: Decimal,
    pub sum_fakt: Decimal,
    pub sum_skidki: Decimal,
    pub bill_printed: bool,
    pub lock: Option<Lock>,
    /// Created by a closed add_new_order without ever being sent open (logged, ASSUMED).
    pub closed_unseen: bool,
}

impl SimOrder {
    pub fn is_closed(&self) -> bool {
        !self.close_date.is_empty()
    }

    pub fn has_line(&self, uid: &str) -> bool {
        self.lines
            .iter()
            .any(|l| l.uid == uid || l.modifiers.iter().any(|m| m.uid == uid))
    }

    /// Recomputes every sum from the retail prices and a total percentage made of `rules`
    /// (name, percent). Closed orders are never recomputed.
    pub fn recompute(&mut self, rules: &[(String, Decimal)], date: &str) {
        if self.is_closed() {
            return;
        }
        let pct: Decimal = rules
            .iter()
            .map(|(_, p)| *p)
            .sum::<Decimal>()
            .min(Decimal::ONE_HUNDRED);
        let factor = (Decimal::ONE_HUNDRED - pct) / Decimal::ONE_HUNDRED;
        let mut rozn = Decimal::ZERO;
        for l in &mut self.lines {
            l.sum_rozn = round2(l.price_rozn * l.quantity);
            rozn += l.sum_rozn;
            for m in &mut l.modifiers {
                m.sum_rozn = round2(m.price_rozn * m.quantity * l.quantity);
                rozn += m.sum_rozn;
            }
        }
        let total_discount = round2(rozn * pct / Decimal::ONE_HUNDRED);
        // Spread the discount per row; the last row takes the rounding remainder.
        let rows: usize = self.lines.iter().map(|l| 1 + l.modifiers.len()).sum();
        let (mut n, mut given) = (0usize, Decimal::ZERO);
        let mut share = |sum_rozn: Decimal| -> Decimal {
            n += 1;
            let d = if n == rows {
                total_discount - given
            } else {
                round2(sum_rozn * pct / Decimal::ONE_HUNDRED)
            };
            given += d;
            d
        };
        for l in &mut self.lines {
            l.sum_fakt = l.sum_rozn - share(l.sum_rozn);
            l.price_fakt = round2(l.price_rozn * factor);
            for m in &mut l.modifiers {
                m.sum_fakt = m.sum_rozn - share(m.sum_rozn);
                m.price_fakt = round2(m.price_rozn * factor);
            }
        }
        self.sum_rozn = rozn;
        self.sum_skidki = total_discount;
        self.sum_fakt = rozn - total_discount;
        // One discount entry per rule; the last takes the remainder so Σ = sum_skidki.
        self.discounts.clear();
        let active: Vec<&(String, Decimal)> = rules.iter().filter(|(_, p)| !p.is_zero()).collect();
        let mut left = total_discount;
        for (i, (name, p)) in active.iter().enumerate() {
            let sum = if i + 1 == active.len() {
                left
            } else {
                round2(rozn * *p / Decimal::ONE_HUNDRED).min(left)
            };
            left -= sum;
            self.discounts.push(DiscountLine {
                date: date.to_string(),
                name: name.clone(),
                sum,
            });
        }
    }

    pub fn paid(&self) -> Decimal {
        self.payments.iter().map(|p| p.sum).sum()
    }

    /// ORDER_JSON as add_new_order, print_bill and add_client_to_order return it.
    pub fn render(&self, opts: RenderOpts) -> Value {
        let m = |d: Decimal| money(d, opts.mixed_money);
        let mut o = self.render_header(opts);
        o.insert(
            "order_line".into(),
            Value::Array(
                self.lines
                    .iter()
                    .map(|l| {
                        let mut v = line_json(l, opts, true);
                        v.insert(
                            "selected_modifiers".into(),
                            Value::Array(
                                l.modifiers
                                    .iter()
                                    .map(|md| Value::Object(line_json(md, opts, false)))
                                    .collect(),
                            ),
                        );
                        Value::Object(v)
                    })
                    .collect(),
            ),
        );
        o.insert(
            "order_payment".into(),
            Value::Array(
                self.payments
                    .iter()
                    .map(|p| {
                        json!({
                            "uid": p.uid, "id": p.id, "date": p.date, "name": p.name,
                            "pay_type_uid": p.pay_type_uid, "cash": flag(p.cash),
                            "sum": m(p.sum), "change": m(p.change)
                        })
                    })
                    .collect(),
            ),
        );
        Value::Object(o)
    }

    /// lock_order's variant (§4.6): `kod`, inner `status`, modifiers flattened into lines
    /// (ASSUMED: with their total quantity, as ordinary lines), payment amount as `summa`.
    pub fn render_lock_variant(&self, opts: RenderOpts) -> Value {
        let m = |d: Decimal| money(d, opts.mixed_money);
        let mut o = self.render_header(opts);
        o.insert(
            "uid".into(),
            Value::String(
                self.jpos_uid
                    .clone()
                    .unwrap_or_else(|| self.jupiter_uid.clone()),
            ),
        );
        o.insert("kod".into(), Value::String(self.kod.clone()));
        o.insert(
            "status".into(),
            Value::String(if self.is_closed() { "closed" } else { "open" }.into()),
        );
        let mut lines = Vec::new();
        for l in &self.lines {
            lines.push(Value::Object(line_json(l, opts, true)));
            for md in &l.modifiers {
                let mut flat = md.clone();
                flat.quantity = md.quantity * l.quantity;
                flat.price_fakt = if flat.quantity.is_zero() {
                    md.price_fakt
                } else {
                    round2(md.sum_fakt / flat.quantity)
                };
                flat.printed = l.printed;
                lines.push(Value::Object(line_json(&flat, opts, true)));
            }
        }
        o.insert("order_line".into(), Value::Array(lines));
        o.insert(
            "order_payment".into(),
            Value::Array(
                self.payments
                    .iter()
                    .map(|p| {
                        json!({
                            "uid": p.uid, "id": p.id, "date": p.date, "name": p.name,
                            "pay_type_uid": p.pay_type_uid, "cash": flag(p.cash),
                            "summa": m(p.sum), "change": m(p.change)
                        })
                    })
                    .collect(),
            ),
        );
        Value::Object(o)
    }

    fn render_header(&self, opts: RenderOpts) -> Map<String, Value> {
        let m = |d: Decimal| money(d, opts.mixed_money);
        let h = &self.header;
        let mut o = Map::new();
        for (k, v) in [
            ("uid", &self.uid),
            ("num", &h.num),
            ("date", &h.date),
            ("hour", &h.hour),
            ("day_week", &h.day_week),
            ("open_date", &h.open_date),
            ("close_date", &self.close_date),
            ("vid", &h.vid),
            ("type", &h.kind),
            ("name", &h.name),
            ("source", &h.source),
            ("waiter", &h.waiter),
            ("cashier", &h.cashier),
        ] {
            o.insert(k.into(), Value::String(v.clone()));
        }
        o.insert("sum_rozn".into(), m(self.sum_rozn));
        o.insert("sum_fakt".into(), m(self.sum_fakt));
        o.insert("sum_skidki".into(), m(self.sum_skidki));
        o.insert("bonus_nach".into(), m(Decimal::ZERO));
        o.insert("bonus_trat".into(), m(self.bonus_spent()));
        o.insert("address".into(), Value::String(h.address.clone()));
        o.insert("coordinates".into(), Value::String(h.coordinates.clone()));
        o.insert("block_change".into(), flag(self.bill_printed));
        match &self.client {
            Some(c) => {
                o.insert(
                    "client".into(),
                    json!({
                        "client_uid": c.client_uid, "id": c.id, "name": c.name, "card": c.card,
                        "bonus": money(c.bonus, true)
                    }),
                );
            }
            // PHP serialises an empty array, not an empty object.
            None if opts.client_as_array => {
                o.insert("client".into(), json!([]));
            }
            None => {}
        }
        o.insert(
            "order_discounts".into(),
            Value::Array(
                self.discounts
                    .iter()
                    .map(|d| json!({"date": d.date, "name": d.name, "sum": m(d.sum)}))
                    .collect(),
            ),
        );
        o
    }

    fn bonus_spent(&self) -> Decimal {
        self.payments
            .iter()
            .filter(|p| p.pay_type_uid == "paymentBonus")
            .map(|p| p.sum)
            .sum()
    }
}

/// Output switches (quirks) for ORDER_JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOpts {
    /// Whole amounts without decimals (`"300"`), as in the vendor's sample.
    pub mixed_money: bool,
    /// No client as PHP's `[]`.
    pub client_as_array: bool,
}

fn line_json(l: &SimLine, opts: RenderOpts, with_line_fields: bool) -> Map<String, Value> {
    let m = |d: Decimal| money(d, opts.mixed_money);
    let mut o = Map::new();
    o.insert("uid".into(), Value::String(l.uid.clone()));
    o.insert("date".into(), Value::String(l.date.clone()));
    o.insert("product_uid".into(), Value::String(l.product_uid.clone()));
    // S1's modifier rows leave out code, tax and block_change; so do we.
    if with_line_fields {
        o.insert(
            "product_code".into(),
            Value::String(l.product_code.clone().unwrap_or_default()),
        );
        o.insert(
            "product_tax".into(),
            Value::String(l.product_tax.clone().unwrap_or_else(|| "0".into())),
        );
    }
    o.insert("product".into(), Value::String(l.product.clone()));
    o.insert("group".into(), Value::String(l.group.clone()));
    o.insert("subgroup".into(), Value::String(l.subgroup.clone()));
    o.insert("price_rozn".into(), m(l.price_rozn));
    o.insert("price_fakt".into(), m(l.price_fakt));
    o.insert(
        "quantity".into(),
        Value::String(l.quantity.normalize().to_string()),
    );
    o.insert("sum_rozn".into(), m(l.sum_rozn));
    o.insert("sum_fakt".into(), m(l.sum_fakt));
    if with_line_fields {
        o.insert("block_change".into(), flag(l.printed));
    }
    o
}

pub fn flag(b: bool) -> Value {
    Value::String(if b { "1" } else { "0" }.into())
}

/// `"270.00"`, or `"300"` for a whole amount when `mixed` (the vendor sample's style).
pub fn money(d: Decimal, mixed: bool) -> Value {
    let d = round2(d);
    if mixed && d.fract().is_zero() {
        return Value::String(d.trunc().normalize().to_string());
    }
    let mut d = d;
    d.rescale(2);
    Value::String(d.to_string())
}

// ---- reading requests ------------------------------------------------------------------------

pub fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => if *b { "1" } else { "0" }.to_string(),
        _ => String::new(),
    }
}

pub fn opt_text(v: &Value, key: &str) -> Option<String> {
    Some(text(v, key)).filter(|s| !s.trim().is_empty())
}

pub fn number(v: &Value, key: &str) -> Option<Decimal> {
    v.get(key).and_then(decimal)
}

/// A line (or modifier row) from a request; `Err` names what is wrong.
pub fn parse_line(v: &Value, nested: bool) -> Result<SimLine, String> {
    let uid = text(v, "uid");
    if uid.trim().is_empty() {
        return Err("строка заказа без uid".into());
    }
    let quantity = number(v, "quantity").unwrap_or(Decimal::ONE);
    if quantity <= Decimal::ZERO {
        return Err(format!("некорректное количество в строке {uid}"));
    }
    let mut modifiers = Vec::new();
    if nested {
        if let Some(Value::Array(items)) = v.get("selected_modifiers") {
            for m in items {
                modifiers.push(parse_line(m, false)?);
            }
        }
    }
    let price = number(v, "price_rozn").unwrap_or_default();
    Ok(SimLine {
        uid,
        date: text(v, "date"),
        product_uid: text(v, "product_uid"),
        product_code: opt_text(v, "product_code"),
        product_tax: opt_text(v, "product_tax"),
        product: text(v, "product"),
        group: text(v, "group"),
        subgroup: text(v, "subgroup"),
        price_rozn: price,
        price_fakt: price,
        quantity,
        sum_rozn: Decimal::ZERO,
        sum_fakt: Decimal::ZERO,
        printed: false,
        modifiers,
    })
}

pub fn parse_header(v: &Value) -> Header {
    Header {
        num: text(v, "num"),
        date: text(v, "date"),
        hour: text(v, "hour"),
        day_week: text(v, "day_week"),
        open_date: text(v, "open_date"),
        vid: text(v, "vid"),
        kind: text(v, "type"),
        name: text(v, "name"),
        source: text(v, "source"),
        waiter: text(v, "waiter"),
        cashier: text(v, "cashier"),
        address: text(v, "address"),
        coordinates: text(v, "coordinates"),
    }
}

pub fn parse_payments(v: &Value) -> Vec<SimPayment> {
    let Some(Value::Array(items)) = v.get("order_payment") else {
        return vec![];
    };
    items
        .iter()
        .enumerate()
        .map(|(i, p)| SimPayment {
            uid: text(p, "uid"),
            id: opt_text(p, "id").unwrap_or_else(|| (i + 1).to_string()),
            date: text(p, "date"),
            name: text(p, "name"),
            pay_type_uid: text(p, "pay_type_uid"),
            cash: matches!(text(p, "cash").trim(), "1" | "yes" | "true"),
            sum: number(p, "sum")
                .or_else(|| number(p, "summa"))
                .unwrap_or_default(),
            change: number(p, "change").unwrap_or_default(),
        })
        .collect()
}

/// Empty, or MySQL's zero date, means "not closed".
pub fn close_date(v: &Value) -> String {
    let d = text(v, "close_date");
    if d.trim().is_empty() || d.starts_with("0000-00-00") {
        String::new()
    } else {
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(lines: Vec<SimLine>) -> SimOrder {
        SimOrder {
            uid: "o1".into(),
            jpos_uid: Some("o1".into()),
            jupiter_uid: "5:2:0:1".into(),
            kod: "1".into(),
            owner: "4:1:0:14".into(),
            header: Header::default(),
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
        }
    }

    fn line(uid: &str, price: i64, qty: i64, mods: Vec<SimLine>) -> SimLine {
        SimLine {
            uid: uid.into(),
            date: String::new(),
            product_uid: format!("p{uid}"),
            product_code: None,
            product_tax: None,
            product: String::new(),
            group: String::new(),
            subgroup: String::new(),
            price_rozn: Decimal::from(price),
            price_fakt: Decimal::from(price),
            quantity: Decimal::from(qty),
            sum_rozn: Decimal::ZERO,
            sum_fakt: Decimal::ZERO,
            printed: false,
            modifiers: mods,
        }
    }

    #[test]
    fn the_vendor_sample_adds_up() {
        // Pizza 250 with a 50 modifier, 10 %: 300 → 270, discount 30 (S1 sample).
        let mut o = order(vec![line("183", 250, 1, vec![line("184", 50, 1, vec![])])]);
        o.recompute(&[("Скидка 10%".into(), Decimal::TEN)], "d");
        assert_eq!(o.sum_rozn, Decimal::from(300));
        assert_eq!(o.sum_fakt, Decimal::from(270));
        assert_eq!(o.sum_skidki, Decimal::from(30));
        assert_eq!(o.lines[0].sum_fakt, Decimal::from(225));
        assert_eq!(o.lines[0].modifiers[0].sum_fakt, Decimal::from(45));
    }

    #[test]
    fn rounding_remainders_keep_the_identities() {
        let mut o = order(vec![
            line("1", 33, 1, vec![line("2", 7, 3, vec![])]),
            line("3", 11, 3, vec![]),
        ]);
        let rules = [
            ("A".to_string(), Decimal::new(7, 0)),
            ("B".to_string(), Decimal::new(35, 1)),
        ];
        o.recompute(&rules, "d");
        let rows: Decimal = o
            .lines
            .iter()
            .map(|l| l.sum_fakt + l.modifiers.iter().map(|m| m.sum_fakt).sum::<Decimal>())
            .sum();
        assert_eq!(rows, o.sum_fakt);
        assert_eq!(o.sum_rozn - o.sum_fakt, o.sum_skidki);
        assert_eq!(
            o.discounts.iter().map(|d| d.sum).sum::<Decimal>(),
            o.sum_skidki
        );
        assert_eq!(o.sum_rozn, Decimal::from(33 + 21 + 33));
    }

    #[test]
    fn money_formats() {
        assert_eq!(money(Decimal::from(300), true), "300");
        assert_eq!(money(Decimal::from(300), false), "300.00");
        assert_eq!(money(Decimal::new(8990, 2), true), "89.90");
    }
}
