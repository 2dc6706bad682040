//! Wire types ⇄ the core's types.
//!
//! Inbound: `/getmenu` → [`Catalog`], `/validate` → [`Quote`], orders → [`PosOrder`],
//! `/ping` → [`PosInfo`]. Outbound: the core's cart and order request → the Cart and
//! `/postorder` bodies. No field name is spelled here; they all live in `wire.rs`.
//!
//! Decisions made here (each is also where a reader would look for it):
//! - **Modifier group ids are `"{scheme}:{group}"`.** r_keeper group codes are only unique
//!   within a scheme, and one group code may appear in several schemes with different limits,
//!   while the catalog needs globally unique group ids. Modifier ids stay plain r_keeper codes,
//!   because they are what the Cart sends back; combo slot ids are plain group codes too (they
//!   are unique within their combo, which is all the core asks).
//! - **Remains** (§6.11): `null` → available; `≤ 0` → out of stock (stop-list); a fraction
//!   below one portion → sold out; otherwise the whole portions left.
//! - A menu entry that does not parse, a missing price or name, an unknown scheme: each becomes
//!   a catalog fault and the rest of the menu still works. Prices never default silently: a
//!   dish without a price is shown out of stock.
//! - A quote needs the POS's `total` (it is what gets charged); without it the answer is
//!   malformed. Discount sums are shown negative and markups positive, whatever sign the POS
//!   used.

use std::collections::{HashMap, HashSet};

use kiosk_core::cart::Cart;
use kiosk_core::catalog::{
    Availability, Badge, Catalog, CatalogFault, Combo, ComboChoice, ComboSlot, Dish, FaultKind,
    Modifier, ModifierGroup, Portion, PosId, Section, UnavailableReason,
};
use kiosk_core::order::{OrderContext, OrderRequest, OrderStatus, PosInfo, PosOrder};
use kiosk_core::payment::PaymentRecord;
use kiosk_core::pricing::{
    Adjustment, AdjustmentKind, Quote, QuoteLine, QuoteModifier, QuoteSource,
};
use kiosk_core::{Money, PosError};
use rust_decimal::prelude::*;
use serde_json::Value;

use crate::wire::{
    badge_tags, AdjustmentRequest, AppliedAdjustment, CartItem, CartRequest, Code,
    ComboItemRequest, MenuResponse, ModifierRequest, PaymentRequest, PingResponse,
    PostOrderRequest, PricedItem, PricedModifier, PricedOrder, Quantity, Tolerant, WireOrder,
    WirePortion, WireStatus, SHORT_COMMENT_MAX_CHARS,
};

// ---------------------------------------------------------------------------------------------
// /getmenu → Catalog
// ---------------------------------------------------------------------------------------------

/// The id the catalog gives a modifier group of a scheme (see the module comment).
pub fn modifier_group_id(scheme: &Code, group: &Code) -> PosId {
    format!("{scheme}:{group}")
}

/// Maps a menu, runs [`Catalog::check`] and keeps every fault found on the way.
pub fn catalog(menu: &MenuResponse, raw: &Value) -> Catalog {
    let mut faults = Vec::new();

    let version = menu
        .menu_version
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| content_version(raw));

    let mut sections = Vec::new();
    for (i, entry) in menu.categories.iter().enumerate() {
        let Some(c) = ok_or_fault(entry, "category", i, &mut faults) else {
            continue;
        };
        let name = named(c.name.as_deref(), &c.code, "category", &mut faults);
        sections.push(Section {
            id: c.code.to_string(),
            name,
            parent: c.parent_code.as_ref().map(Code::to_string),
            sort: c.sort.unwrap_or(0),
            image_url: non_empty(c.image_url.as_deref()),
        });
    }
    // r_keeper trees often use parent 0 for "no parent"; honour it unless 0 is a real category.
    let has_zero = sections.iter().any(|s| s.id == "0");
    for s in &mut sections {
        if s.parent.as_deref() == Some("0") && !has_zero {
            s.parent = None;
        }
    }

    let mut modifier_groups: Vec<ModifierGroup> = Vec::new();
    let mut scheme_groups: HashMap<String, Vec<PosId>> = HashMap::new();
    let mut group_ids = HashSet::new();
    for (i, entry) in menu.modifier_schemes.iter().enumerate() {
        let Some(scheme) = ok_or_fault(entry, "modifier scheme", i, &mut faults) else {
            continue;
        };
        if scheme_groups.contains_key(scheme.code.as_str()) {
            faults.push(CatalogFault::new(
                FaultKind::DuplicateId,
                format!("modifier scheme {}", scheme.code),
                "the scheme appears more than once; the first one is used",
            ));
            continue;
        }
        let mut ids = Vec::new();
        for (j, g_entry) in scheme.groups.iter().enumerate() {
            let what = format!("modifier group of scheme {}", scheme.code);
            let Some(g) = ok_or_fault(g_entry, &what, j, &mut faults) else {
                continue;
            };
            let id = modifier_group_id(&scheme.code, &g.code);
            if !group_ids.insert(id.clone()) {
                faults.push(CatalogFault::new(
                    FaultKind::DuplicateId,
                    format!("modifier group {id}"),
                    "the group appears more than once in its scheme; the first one is used",
                ));
                continue;
            }
            let mut modifiers = Vec::new();
            for (k, m_entry) in g.modifiers.iter().enumerate() {
                let what = format!("modifier of group {id}");
                let Some(m) = ok_or_fault(m_entry, &what, k, &mut faults) else {
                    continue;
                };
                let price = m.price.unwrap_or_else(|| {
                    faults.push(CatalogFault::new(
                        FaultKind::MissingPrice,
                        format!("modifier {}", m.code),
                        "the modifier has no price; it is shown as free and the POS prices it",
                    ));
                    Money::ZERO
                });
                modifiers.push(Modifier {
                    id: m.code.to_string(),
                    name: named(m.name.as_deref(), &m.code, "modifier", &mut faults),
                    price,
                    max_quantity: m.max_quantity.unwrap_or(1),
                    auto: m.auto.unwrap_or(false),
                    available: !matches!(availability(m.remains), Availability::OutOfStock { .. }),
                });
            }
            modifier_groups.push(ModifierGroup {
                id: id.clone(),
                name: named(g.name.as_deref(), &g.code, "modifier group", &mut faults),
                min: g.min.unwrap_or(0),
                max: g.max,
                modifiers,
            });
            ids.push(id);
        }
        scheme_groups.insert(scheme.code.to_string(), ids);
    }

    let mut dishes = Vec::new();
    for (i, entry) in menu.dishes.iter().enumerate() {
        let Some(d) = ok_or_fault(entry, "dish", i, &mut faults) else {
            continue;
        };
        let subject = format!("dish {}", d.code);
        let mut availability = availability(d.remains);
        let price = match d.price {
            Some(p) => p,
            None => {
                faults.push(CatalogFault::new(
                    FaultKind::MissingPrice,
                    &subject,
                    "the dish has no price; it is hidden from sale",
                ));
                availability = Availability::OutOfStock {
                    reason: UnavailableReason::StopList,
                };
                Money::ZERO
            }
        };
        let groups = match &d.modifier_scheme_code {
            None => vec![],
            Some(code) => match scheme_groups.get(code.as_str()) {
                Some(ids) => ids.clone(),
                None => {
                    faults.push(CatalogFault::new(
                        FaultKind::DanglingModifierGroup,
                        &subject,
                        format!("its modifier scheme {code} does not exist; the dish is offered without modifiers"),
                    ));
                    vec![]
                }
            },
        };
        dishes.push(Dish {
            id: d.code.to_string(),
            name: named(d.name.as_deref(), &d.code, "dish", &mut faults),
            description: non_empty(d.description.as_deref()),
            section: section_of(d.category_code.as_ref()),
            price,
            image_url: non_empty(d.image_url.as_deref()),
            availability,
            modifier_groups: groups,
            portion: d.portion.as_ref().and_then(portion),
            badges: badges(&d.tags),
            sort: d.sort.unwrap_or(0),
        });
    }

    let mut combos = Vec::new();
    for (i, entry) in menu.combos.iter().enumerate() {
        let Some(c) = ok_or_fault(entry, "combo", i, &mut faults) else {
            continue;
        };
        let subject = format!("combo {}", c.code);
        let mut availability = availability(c.remains);
        let price = match c.price {
            Some(p) => p,
            None => {
                faults.push(CatalogFault::new(
                    FaultKind::MissingPrice,
                    &subject,
                    "the combo has no price; it is hidden from sale",
                ));
                availability = Availability::OutOfStock {
                    reason: UnavailableReason::StopList,
                };
                Money::ZERO
            }
        };
        let mut slots = Vec::new();
        for (j, g_entry) in c.groups.iter().enumerate() {
            let what = format!("group of combo {}", c.code);
            let Some(g) = ok_or_fault(g_entry, &what, j, &mut faults) else {
                continue;
            };
            let mut choices = Vec::new();
            for (k, item) in g.items.iter().enumerate() {
                let what = format!("choice of combo {} group {}", c.code, g.code);
                if let Some(it) = ok_or_fault(item, &what, k, &mut faults) {
                    choices.push(ComboChoice {
                        dish: it.dish_code.to_string(),
                        price_delta: it.price_delta.unwrap_or(Money::ZERO),
                    });
                }
            }
            let min = g.min.unwrap_or(1);
            slots.push(ComboSlot {
                id: g.code.to_string(),
                name: named(g.name.as_deref(), &g.code, "combo group", &mut faults),
                min,
                max: g.max.unwrap_or(min.max(1)),
                default_choice: g.default_dish_code.as_ref().map(Code::to_string),
                choices,
            });
        }
        combos.push(Combo {
            id: c.code.to_string(),
            name: named(c.name.as_deref(), &c.code, "combo", &mut faults),
            description: non_empty(c.description.as_deref()),
            section: section_of(c.category_code.as_ref()),
            price,
            image_url: non_empty(c.image_url.as_deref()),
            availability,
            slots,
            sort: c.sort.unwrap_or(0),
        });
    }

    let mut catalog = Catalog {
        version,
        sections,
        dishes,
        modifier_groups,
        combos,
        faults,
    };
    catalog.check();
    catalog
}

/// Availability from remains (§6.11, see the module comment).
pub fn availability(remains: Option<Quantity>) -> Availability {
    let Some(Quantity(q)) = remains else {
        return Availability::Available;
    };
    if q <= Decimal::ZERO {
        return Availability::OutOfStock {
            reason: UnavailableReason::StopList,
        };
    }
    match q.floor().to_u32() {
        Some(0) => Availability::OutOfStock {
            reason: UnavailableReason::SoldOut,
        },
        Some(n) => Availability::Limited { remains: n },
        // More than u32::MAX portions left is as good as unlimited.
        None => Availability::Available,
    }
}

fn ok_or_fault<'a, T>(
    entry: &'a Tolerant<T>,
    what: &str,
    index: usize,
    faults: &mut Vec<CatalogFault>,
) -> Option<&'a T> {
    match entry {
        Tolerant::Ok(t) => Some(t),
        Tolerant::Bad { raw, error } => {
            let subject = match raw.get("code") {
                Some(Value::Number(n)) => format!("{what} {n}"),
                Some(Value::String(s)) if !s.trim().is_empty() => format!("{what} {}", s.trim()),
                _ => format!("{what} #{}", index + 1),
            };
            faults.push(CatalogFault::new(
                FaultKind::Malformed,
                subject,
                format!("left out, it cannot be read: {error}"),
            ));
            None
        }
    }
}

fn named(name: Option<&str>, code: &Code, what: &str, faults: &mut Vec<CatalogFault>) -> String {
    match non_empty(name) {
        Some(n) => n,
        None => {
            faults.push(CatalogFault::new(
                FaultKind::Malformed,
                format!("{what} {code}"),
                "it has no name; its code is shown instead",
            ));
            code.to_string()
        }
    }
}

/// The section of a dish or combo. A missing category becomes an empty id, which
/// `Catalog::check` reports as a dangling section (so the fault is not reported twice).
fn section_of(code: Option<&Code>) -> PosId {
    code.map(Code::to_string).unwrap_or_default()
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn portion(p: &WirePortion) -> Option<Portion> {
    if let Some(Quantity(v)) = p.value {
        return Some(Portion {
            value: v.normalize().to_string(),
            unit: p.unit.as_deref().map(str::trim).unwrap_or("").to_string(),
        });
    }
    // "150 г": a leading number and a unit.
    let text = p.text.as_deref()?.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(text.len());
    let value = Decimal::from_str(&text[..split].replace(',', ".")).ok()?;
    Some(Portion {
        value: value.normalize().to_string(),
        unit: text[split..].trim().to_string(),
    })
}

fn badges(tags: &[Value]) -> Vec<Badge> {
    let mut out = Vec::new();
    for t in tags.iter().filter_map(Value::as_str) {
        let t = t.trim().to_lowercase();
        let badge = if badge_tags::NEW.contains(&t.as_str()) {
            Badge::New
        } else if badge_tags::SPICY.contains(&t.as_str()) {
            Badge::Spicy
        } else if badge_tags::VEGETARIAN.contains(&t.as_str()) {
            Badge::Vegetarian
        } else if badge_tags::HIT.contains(&t.as_str()) {
            Badge::Hit
        } else {
            continue;
        };
        if !out.contains(&badge) {
            out.push(badge);
        }
    }
    out
}

/// A stable version for a menu that carries none: FNV-1a of its canonical JSON (serde_json
/// maps are sorted, so equal menus give equal text).
fn content_version(raw: &Value) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in raw.to_string().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("content-{h:016x}")
}

// ---------------------------------------------------------------------------------------------
// /validate → Quote
// ---------------------------------------------------------------------------------------------

/// The POS's quote. Fails when the answer says `valid: false` or has no total.
pub fn quote(p: &PricedOrder) -> Result<Quote, PosError> {
    if p.valid == Some(false) {
        return Err(PosError::Refused {
            reason: "the POS says the order cannot be created".into(),
        });
    }
    let total = p
        .total
        .ok_or_else(|| PosError::Malformed("the priced order has no total".into()))?;
    priced(&p.items, &p.discounts, &p.markups, p.sum, total)
}

fn priced(
    items: &[PricedItem],
    discounts: &[AppliedAdjustment],
    markups: &[AppliedAdjustment],
    sum: Option<Money>,
    total: Money,
) -> Result<Quote, PosError> {
    if total.is_negative() {
        return Err(PosError::Malformed(format!(
            "the total {total} is negative"
        )));
    }
    let lines = items
        .iter()
        .enumerate()
        .map(|(i, it)| quote_line(i, it))
        .collect::<Result<Vec<_>, _>>()?;
    let adjustments: Vec<Adjustment> = discounts
        .iter()
        .map(|a| adjustment(a, AdjustmentKind::Discount))
        .chain(
            markups
                .iter()
                .map(|a| adjustment(a, AdjustmentKind::Markup)),
        )
        .collect();
    let subtotal =
        sum.unwrap_or_else(|| total - adjustments.iter().map(|a| a.amount).sum::<Money>());
    Ok(Quote {
        source: QuoteSource::Pos,
        lines,
        adjustments,
        subtotal,
        total,
    })
}

fn quote_line(index: usize, it: &PricedItem) -> Result<QuoteLine, PosError> {
    let qty = it.quantity.map(|q| q.0).unwrap_or(Decimal::ONE);
    let unit_price = match (it.price, it.sum) {
        (Some(p), _) => p,
        (None, Some(s)) if !qty.is_zero() => Money::new(s.decimal() / qty).round(),
        _ => {
            return Err(PosError::Malformed(format!(
                "line {} ({}) of the priced order has no price",
                index + 1,
                it.code
            )))
        }
    };
    let mut modifiers: Vec<QuoteModifier> = it.modifiers.iter().map(quote_modifier).collect();
    for c in &it.combo_items {
        modifiers.extend(c.modifiers.iter().map(quote_modifier));
    }
    let total = match it.total {
        Some(t) => t,
        None => {
            let dish = it.sum.unwrap_or(unit_price * qty);
            let mods: Money = it
                .modifiers
                .iter()
                .chain(it.combo_items.iter().flat_map(|c| c.modifiers.iter()))
                .filter_map(|m| m.sum)
                .sum();
            dish + mods - it.discount_sum.map(abs).unwrap_or(Money::ZERO)
                + it.markup_sum.map(abs).unwrap_or(Money::ZERO)
        }
    };
    Ok(QuoteLine {
        dish: it.code.to_string(),
        name: it.name.clone().unwrap_or_else(|| it.code.to_string()),
        qty: display_qty(qty),
        unit_price,
        modifiers,
        total,
    })
}

fn quote_modifier(m: &PricedModifier) -> QuoteModifier {
    let qty = m.quantity.map(|q| q.0).unwrap_or(Decimal::ONE);
    QuoteModifier {
        // An open modifier (a dish comment) may have no code; its text is its name.
        id: m.code.as_ref().map(Code::to_string).unwrap_or_default(),
        name: m.name.clone().unwrap_or_default(),
        qty: display_qty(qty),
        total: m.sum.or(m.price.map(|p| p * qty)).unwrap_or(Money::ZERO),
    }
}

fn adjustment(a: &AppliedAdjustment, kind: AdjustmentKind) -> Adjustment {
    let magnitude = a.sum.map(abs).unwrap_or(Money::ZERO);
    let default_name = match kind {
        AdjustmentKind::Discount => "Discount",
        AdjustmentKind::Markup => "Markup",
    };
    Adjustment {
        kind,
        name: a
            .name
            .clone()
            .or_else(|| a.code.as_ref().map(Code::to_string))
            .unwrap_or_else(|| default_name.to_string()),
        amount: match kind {
            AdjustmentKind::Discount => -magnitude,
            AdjustmentKind::Markup => magnitude,
        },
        auto: a.auto.unwrap_or(false),
    }
}

fn abs(m: Money) -> Money {
    Money::new(m.decimal().abs())
}

/// Quantities in the core are whole portions; a weight (0.35 kg) shows as 1, a larger fraction
/// rounds up, so a line never shows 0 of something that is charged.
fn display_qty(q: Decimal) -> u32 {
    if q <= Decimal::ZERO {
        return 0;
    }
    q.ceil().to_u32().unwrap_or(u32::MAX)
}

// ---------------------------------------------------------------------------------------------
// Orders, ping
// ---------------------------------------------------------------------------------------------

/// The core's status for a wire status; unknown words go through the core's own parser, which
/// knows a few more synonyms and keeps anything else as `Unknown`.
pub fn status(s: &WireStatus) -> OrderStatus {
    match s {
        WireStatus::Deferred => OrderStatus::Deferred,
        WireStatus::Open => OrderStatus::Open,
        WireStatus::Bill => OrderStatus::Bill,
        WireStatus::Close => OrderStatus::Closed,
        WireStatus::Deleted => OrderStatus::Deleted,
        WireStatus::Unknown(raw) => OrderStatus::parse(raw),
    }
}

/// An order. The GUID is required (nothing can be tracked without it). A missing status is
/// kept as `Unknown("")`; a missing total is derived from the sums when possible, else 0; the
/// quote is attached when the order lists its lines.
pub fn order(o: &WireOrder) -> Result<PosOrder, PosError> {
    let guid = o
        .guid
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .ok_or_else(|| PosError::Malformed("the order has no guid".into()))?;
    let derived = o.sum.map(|s| {
        s - o.discount_sum.map(abs).unwrap_or(Money::ZERO)
            + o.markup_sum.map(abs).unwrap_or(Money::ZERO)
    });
    let total = o.total.or(derived).unwrap_or(Money::ZERO);
    let quote = if o.items.is_empty() {
        None
    } else {
        priced(&o.items, &o.discounts, &o.markups, o.sum, total).ok()
    };
    Ok(PosOrder {
        pos_order_id: guid.to_string(),
        external_id: non_empty(o.external_id.as_deref()),
        number: non_empty(o.order_number.as_deref()),
        status: o
            .status
            .as_ref()
            .map(status)
            .unwrap_or(OrderStatus::Unknown { raw: String::new() }),
        total,
        paid: o.paid_sum.unwrap_or(Money::ZERO),
        quote,
    })
}

/// The health report. A bad token, an invalid licence or a down cash server are reported in
/// their own fields here; [`ping_problem`] turns them into an error for callers that need one.
pub fn pos_info(p: &PingResponse, latency_ms: u32) -> PosInfo {
    let licence = p.license.as_ref();
    PosInfo {
        pos: "procart".into(),
        gateway_version: p.procart_version.clone(),
        backend_version: p.rk_version.clone(),
        cash_server_available: p.cash_server_available,
        licence_valid: licence.and_then(|l| l.valid),
        licence_expires: licence.and_then(|l| l.expires_at.clone()),
        licence_message: licence.and_then(|l| l.message.clone()),
        token_valid: p.token_valid,
        source_name: p.source_name.clone(),
        latency_ms,
    }
}

/// What stops orders from going through, according to `/ping`: a rejected token, an invalid
/// licence, or no cash server, in that order (the first one is what staff must fix first).
pub fn ping_problem(p: &PingResponse) -> Option<PosError> {
    if p.token_valid == Some(false) {
        return Some(PosError::BadToken);
    }
    if let Some(l) = &p.license {
        if l.valid == Some(false) {
            return Some(PosError::NoLicence(
                l.message
                    .clone()
                    .unwrap_or_else(|| "the licence is not valid".into()),
            ));
        }
    }
    if p.cash_server_available == Some(false) {
        return Some(PosError::CashServerDown(
            "ProCart reports that it cannot reach the cash server".into(),
        ));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Core → wire: the Cart and /postorder
// ---------------------------------------------------------------------------------------------

/// The Cart for `/validate` (and the base of `/postorder`). The order category comes from the
/// context: it selects the price list and must be the same in both calls (CONFIRMED [S8]).
pub fn cart_request(cart: &Cart, ctx: &OrderContext) -> CartRequest {
    let code = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Code::new)
    };
    CartRequest {
        order_category_code: code(&ctx.order_category),
        order_type_code: code(&ctx.order_kind),
        table_code: code(&ctx.table),
        guests_count: ctx.guests,
        items: cart
            .lines
            .iter()
            .map(|l| CartItem {
                code: Code::new(l.dish.as_str()),
                quantity: l.qty,
                modifiers: modifiers(&l.modifiers),
                comment: non_empty(l.comment.as_deref()),
                combo_items: l
                    .combo
                    .iter()
                    .map(|p| ComboItemRequest {
                        group_code: Code::new(p.slot.as_str()),
                        code: Code::new(p.dish.as_str()),
                        quantity: p.qty,
                        modifiers: modifiers(&p.modifiers),
                    })
                    .collect(),
            })
            .collect(),
        discounts: Vec::<AdjustmentRequest>::new(),
        markups: Vec::new(),
        comment: None,
        short_comment: None,
    }
}

fn modifiers(chosen: &[kiosk_core::cart::ChosenModifier]) -> Vec<ModifierRequest> {
    chosen
        .iter()
        .map(|m| ModifierRequest {
            code: Code::new(m.id.as_str()),
            quantity: m.qty,
        })
        .collect()
}

/// The `/postorder` body: the Cart, the comments, our external id, the callback, the expected
/// total and the payment (if any).
pub fn postorder_request(req: &OrderRequest) -> PostOrderRequest {
    let mut cart = cart_request(&req.cart, &req.context);
    cart.comment = non_empty(req.comment.as_deref());
    cart.short_comment = req
        .short_comment
        .as_deref()
        .map(short_comment)
        .filter(|s| !s.is_empty());
    PostOrderRequest {
        cart,
        external_id: req.external_id.clone(),
        callback_url: non_empty(req.callback_url.as_deref()),
        expected_total: Some(req.expected_total),
        payments: req.payment.iter().map(payment).collect(),
    }
}

/// A payment as r_keeper records it: the tender is the currency code.
pub fn payment(p: &PaymentRecord) -> PaymentRequest {
    let r = &p.receipt;
    PaymentRequest {
        currency_code: Code::new(p.tender.trim()),
        amount: r.amount,
        transaction_id: non_empty(Some(&r.transaction_id)),
        auth_code: non_empty(r.auth_code.as_deref()),
        card_mask: non_empty(r.card_mask.as_deref()),
        paid_at: non_empty(Some(&r.paid_at)),
    }
}

/// The short comment r_keeper shows in its order list: one line, at most 30 characters, cut on
/// a character boundary (a byte cut would split Cyrillic letters in half).
pub fn short_comment(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    one_line
        .trim()
        .chars()
        .take(SHORT_COMMENT_MAX_CHARS)
        .collect::<String>()
        .trim_end()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Option<Quantity> {
        Some(Quantity(Decimal::from_str(s).unwrap()))
    }

    #[test]
    fn remains_become_availability() {
        assert_eq!(availability(None), Availability::Available);
        assert_eq!(
            availability(q("0")),
            Availability::OutOfStock {
                reason: UnavailableReason::StopList
            }
        );
        assert_eq!(
            availability(q("-2")),
            Availability::OutOfStock {
                reason: UnavailableReason::StopList
            }
        );
        assert_eq!(
            availability(q("0.4")),
            Availability::OutOfStock {
                reason: UnavailableReason::SoldOut
            }
        );
        assert_eq!(
            availability(q("12.9")),
            Availability::Limited { remains: 12 }
        );
        assert_eq!(availability(q("1e12")), Availability::Available);
    }

    #[test]
    fn short_comments_are_cut_on_characters() {
        let long = "Киоск 1 / заказ №123 — без лука и с собой";
        let s = short_comment(long);
        assert_eq!(s.chars().count(), 30);
        assert!(long.starts_with(&s));
        assert_eq!(short_comment("a\nb\tc"), "a b c");
        assert_eq!(short_comment("  "), "");
    }

    #[test]
    fn badges_come_from_known_tags_only() {
        let tags: Vec<Value> =
            serde_json::from_str(r#"["NEW","spicy","spicy",1,"chef","Хит"]"#).unwrap();
        assert_eq!(badges(&tags), vec![Badge::New, Badge::Spicy, Badge::Hit]);
    }

    #[test]
    fn portions_from_text() {
        let p = WirePortion {
            text: Some("150 г".into()),
            ..WirePortion::default()
        };
        assert_eq!(
            portion(&p),
            Some(Portion {
                value: "150".into(),
                unit: "г".into()
            })
        );
        let p = WirePortion {
            text: Some("порция".into()),
            ..WirePortion::default()
        };
        assert_eq!(portion(&p), None);
    }
}
