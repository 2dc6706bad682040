//! ORDER_JSON for a kiosk order, and Jupiter's orders read back as the kiosk's types.
//!
//! The field choices follow reference §8.5: the order uid is the kiosk's external id (fixed
//! for the life of the order, so a resend merges instead of duplicating), line uids count from
//! 1 in cart order and are shared with the modifier rows, sums are the local estimate (Jupiter
//! overwrites them), and payments are sent only with the closing request.

use kiosk_core::order::{OrderStatus, PosOrder};
use kiosk_core::pricing::{
    Adjustment, AdjustmentKind, Quote, QuoteLine, QuoteModifier, QuoteSource,
};
use kiosk_core::Money;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::pricing::{PricedCart, PricedModifier};
use crate::wire::{self, Flag, Qty};

/// Where "now" comes from: JPOS dates are local wall-clock time without a zone.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> PrimitiveDateTime;
}

/// The system clock at a fixed offset, or the OS's local offset when none is set. The OS
/// offset cannot always be read in a multi-threaded process (the `time` crate refuses, for
/// soundness), and UTC is the fallback then; set the offset in the settings to be sure.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock {
    pub utc_offset: Option<UtcOffset>,
}

impl Clock for SystemClock {
    fn now(&self) -> PrimitiveDateTime {
        let now = match self.utc_offset {
            Some(o) => OffsetDateTime::now_utc().to_offset(o),
            None => OffsetDateTime::now_local().unwrap_or_else(|_| OffsetDateTime::now_utc()),
        };
        PrimitiveDateTime::new(now.date(), now.time())
    }
}

/// A clock that always says the same time, for reproducible ORDER_JSON in tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub PrimitiveDateTime);

impl Clock for FixedClock {
    fn now(&self) -> PrimitiveDateTime {
        self.0
    }
}

pub fn format_date(t: PrimitiveDateTime) -> String {
    t.format(wire::DATE_TIME_FORMAT).unwrap_or_default()
}

/// Header values the protocol cannot tell us (reference §8.1): they come from the settings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrderHeader {
    /// `vid` of the order (`"Обычный заказ"`, `"На вынос"`).
    pub vid: String,
    /// `source`; ASSUMED it must exist in Jupiter's source list.
    pub source: String,
    /// `waiter` and `cashier`: get_user_id returns no name.
    pub staff_name: String,
}

/// The first, open `add_new_order` of a kiosk order.
pub fn build_order(
    priced: &PricedCart,
    uid: &str,
    num: &str,
    name: &str,
    header: &OrderHeader,
    now: PrimitiveDateTime,
) -> wire::Order {
    let date = format_date(now);
    let mut next_uid = 0u32;
    let mut uid_seq = || {
        next_uid += 1;
        next_uid.to_string()
    };
    let mut order_line = Vec::with_capacity(priced.lines.len());
    for l in &priced.lines {
        let qty = Decimal::from(l.qty);
        let sum = (l.unit_price * qty).round();
        let line_uid = uid_seq();
        let modifiers = l
            .modifiers
            .iter()
            .map(|m| modifier_row(m, uid_seq(), &date))
            .collect();
        order_line.push(wire::Line {
            uid: line_uid,
            date: date.clone(),
            product_uid: l.dish.clone(),
            product_code: Some(l.product.code.clone()),
            product_tax: Some(l.product.tax.order_code()),
            product: l.name.clone(),
            group: l.product.group_name.clone(),
            subgroup: l.product.subgroup_name.clone(),
            price_rozn: l.unit_price,
            price_fakt: l.unit_price,
            quantity: Qty(qty),
            sum_rozn: sum,
            sum_fakt: sum,
            block_change: Some(Flag(false)),
            selected_modifiers: Some(modifiers),
            extra: Default::default(),
        });
    }
    wire::Order {
        uid: uid.to_string(),
        num: num.to_string(),
        date: date.clone(),
        hour: now.hour().to_string(),
        day_week: wire::day_week(now.weekday()).to_string(),
        open_date: date,
        close_date: String::new(),
        vid: header.vid.clone(),
        kind: wire::ORDER_TYPE_ORDER.to_string(),
        name: name.to_string(),
        source: header.source.clone(),
        waiter: header.staff_name.clone(),
        cashier: header.staff_name.clone(),
        sum_rozn: priced.total,
        sum_fakt: priced.total,
        sum_skidki: Money::ZERO,
        bonus_nach: Money::ZERO,
        bonus_trat: Money::ZERO,
        address: String::new(),
        coordinates: String::new(),
        block_change: Flag(false),
        client: None,
        order_line,
        order_discounts: vec![],
        order_payment: vec![],
        kod: None,
        status: None,
        extra: Default::default(),
    }
}

fn modifier_row(m: &PricedModifier, uid: String, date: &str) -> wire::Line {
    wire::Line {
        uid,
        date: date.to_string(),
        product_uid: m.id.clone(),
        product_code: Some(m.product.code.clone()),
        product_tax: Some(m.product.tax.order_code()),
        product: m.name.clone(),
        group: m.product.group_name.clone(),
        subgroup: m.product.subgroup_name.clone(),
        price_rozn: m.price,
        price_fakt: m.price,
        quantity: Qty(m.qty),
        sum_rozn: m.total,
        sum_fakt: m.total,
        block_change: None,
        selected_modifiers: None,
        extra: Default::default(),
    }
}

/// One `order_payment` row for a card/SBP payment taken by the kiosk (reference §8.5).
pub fn payment_row(
    pay_type_uid: &str,
    name: &str,
    cash: bool,
    amount: Money,
    now: PrimitiveDateTime,
) -> wire::Payment {
    wire::Payment {
        uid: None,
        id: "1".into(),
        date: format_date(now),
        name: name.to_string(),
        pay_type_uid: pay_type_uid.to_string(),
        cash: Flag(cash),
        sum: amount,
        change: Money::ZERO,
    }
}

/// The closing `add_new_order`: Jupiter's own copy of the order (so nothing it computed is
/// contradicted) with the close date and the payment.
pub fn closing_order(
    server: &wire::Order,
    payment: wire::Payment,
    now: PrimitiveDateTime,
) -> wire::Order {
    let mut o = server.clone();
    o.close_date = format_date(now);
    o.order_payment = vec![payment];
    o.kod = None;
    o.status = None;
    o
}

/// An order as Jupiter reported it, in the kiosk's terms. The uid is both the POS's id and our
/// external id: the kiosk chose it.
pub fn to_pos_order(o: &wire::Order) -> PosOrder {
    PosOrder {
        pos_order_id: o.uid.clone(),
        external_id: Some(o.uid.clone()),
        number: [&o.num, &o.name]
            .into_iter()
            .find(|s| !s.trim().is_empty())
            .cloned(),
        status: if o.is_closed() {
            OrderStatus::Closed
        } else {
            OrderStatus::Open
        },
        total: o.sum_fakt,
        paid: o.paid(),
        quote: Some(to_quote(o)),
    }
}

/// Jupiter's totals as a quote the kiosk may charge. Lines carry the amounts before discounts
/// and the discounts are order adjustments, so `subtotal + Σ adjustments = total`.
pub fn to_quote(o: &wire::Order) -> Quote {
    let lines = o
        .order_line
        .iter()
        .map(|l| {
            let qty = whole(l.quantity.0);
            QuoteLine {
                dish: l.product_uid.clone(),
                name: l.product.clone(),
                qty,
                unit_price: l.price_rozn,
                modifiers: l
                    .modifiers()
                    .iter()
                    .map(|m| QuoteModifier {
                        id: m.product_uid.clone(),
                        name: m.product.clone(),
                        qty: whole(m.quantity.0),
                        total: m.sum_rozn,
                    })
                    .collect(),
                total: l.sum_rozn + l.modifiers().iter().map(|m| m.sum_rozn).sum::<Money>(),
            }
        })
        .collect();
    Quote {
        source: QuoteSource::Pos,
        lines,
        adjustments: o
            .order_discounts
            .iter()
            .map(|d| Adjustment {
                kind: if d.sum.is_negative() {
                    AdjustmentKind::Markup
                } else {
                    AdjustmentKind::Discount
                },
                name: d.name.clone(),
                amount: -d.sum,
                auto: true,
            })
            .collect(),
        subtotal: o.sum_rozn,
        total: o.sum_fakt,
    }
}

/// Quote quantities are whole portions; a weighed quantity (ASSUMED possible) rounds up.
fn whole(d: Decimal) -> u32 {
    d.ceil().to_u32().unwrap_or(0)
}

/// The pickup number for `num`: the engine's short comment when it is a number, otherwise a
/// four-digit number derived from the external id, so a resend carries the same one.
pub fn pickup_number(external_id: &str, short_comment: Option<&str>) -> String {
    if let Some(s) = short_comment.map(str::trim) {
        if !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()) {
            return s.to_string();
        }
    }
    let mut h: u32 = 0x811c_9dc5;
    for b in external_id.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    (1000 + h % 9000).to_string()
}
