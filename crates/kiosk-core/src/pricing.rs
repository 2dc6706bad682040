//! Prices of a cart: the local estimate and the POS's answer in one shape.
//!
//! The kiosk shows [`estimate`] the moment the cart changes and replaces it with the POS's
//! quote when that arrives (`source: pos`). Only a POS quote may be charged: the POS applies
//! order-category prices, automatic discounts and markups that the menu does not carry.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cart::{Cart, ChosenModifier};
use crate::catalog::{Catalog, CatalogIndex, PosId};
use crate::money::Money;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Quote {
    pub source: QuoteSource,
    pub lines: Vec<QuoteLine>,
    /// Discounts (negative) and markups (positive) applied to the whole order.
    pub adjustments: Vec<Adjustment>,
    /// Before discounts and markups.
    pub subtotal: Money,
    /// What the customer pays.
    pub total: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum QuoteSource {
    /// Computed on the kiosk from menu prices; shown, never charged.
    Estimate,
    /// Confirmed by the POS.
    Pos,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QuoteLine {
    pub dish: PosId,
    pub name: String,
    pub qty: u32,
    pub unit_price: Money,
    pub modifiers: Vec<QuoteModifier>,
    /// The line's amount with modifiers, after line-level discounts.
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QuoteModifier {
    pub id: PosId,
    pub name: String,
    pub qty: u32,
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Adjustment {
    pub kind: AdjustmentKind,
    pub name: String,
    /// Negative for a discount.
    pub amount: Money,
    /// Applied by the POS's own rules, not asked for by the kiosk.
    pub auto: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AdjustmentKind {
    Discount,
    Markup,
}

/// What the kiosk tells the customer when the POS priced a line differently from the menu.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PriceChange {
    pub dish: PosId,
    pub name: String,
    pub menu_price: Money,
    pub pos_price: Money,
}

fn modifiers_total(
    ix: &CatalogIndex<'_>,
    groups: &[PosId],
    chosen: &[ChosenModifier],
) -> (Vec<QuoteModifier>, Money) {
    let mut out = Vec::new();
    let mut sum = Money::ZERO;
    for m in chosen {
        let found = groups
            .iter()
            .filter_map(|g| ix.groups.get(g.as_str()))
            .find_map(|g| g.modifiers.iter().find(|x| x.id == m.id));
        if let Some(x) = found {
            let total = x.price.times(m.qty);
            sum += total;
            out.push(QuoteModifier {
                id: x.id.clone(),
                name: x.name.clone(),
                qty: m.qty,
                total,
            });
        }
    }
    (out, sum)
}

/// The local estimate: menu prices, modifier prices and combo deltas. Unknown ids are skipped
/// (the cart check reports them); the estimate never fails so the UI always has a number.
pub fn estimate(catalog: &Catalog, cart: &Cart) -> Quote {
    let ix = catalog.index();
    let mut lines = Vec::new();
    for line in &cart.lines {
        if let Some(combo) = ix.combos.get(line.dish.as_str()) {
            let mut unit = combo.price;
            let mut mods = Vec::new();
            for pick in &line.combo {
                if let Some(slot) = combo.slots.iter().find(|s| s.id == pick.slot) {
                    if let Some(ch) = slot.choices.iter().find(|c| c.dish == pick.dish) {
                        unit += ch.price_delta.times(pick.qty);
                    }
                }
                if let Some(d) = ix.dishes.get(pick.dish.as_str()) {
                    let (m, s) = modifiers_total(&ix, &d.modifier_groups, &pick.modifiers);
                    unit += s.times(pick.qty);
                    mods.extend(m);
                }
            }
            lines.push(QuoteLine {
                dish: combo.id.clone(),
                name: combo.name.clone(),
                qty: line.qty,
                unit_price: unit,
                modifiers: mods,
                total: unit.times(line.qty).round(),
            });
        } else if let Some(dish) = ix.dishes.get(line.dish.as_str()) {
            let (mods, per_unit) = modifiers_total(&ix, &dish.modifier_groups, &line.modifiers);
            let unit = dish.price + per_unit;
            lines.push(QuoteLine {
                dish: dish.id.clone(),
                name: dish.name.clone(),
                qty: line.qty,
                unit_price: dish.price,
                modifiers: mods
                    .into_iter()
                    .map(|m| QuoteModifier {
                        total: m.total.times(line.qty),
                        ..m
                    })
                    .collect(),
                total: unit.times(line.qty).round(),
            });
        }
    }
    let subtotal: Money = lines.iter().map(|l| l.total).sum();
    Quote {
        source: QuoteSource::Estimate,
        lines,
        adjustments: vec![],
        subtotal,
        total: subtotal,
    }
}

/// The dish's price with the cheapest valid choice of modifiers: what a menu card shows as
/// "from". Equal to the price when no required group costs extra.
pub fn from_price(catalog: &Catalog, dish_id: &str) -> Option<Money> {
    from_price_in(&catalog.index(), dish_id)
}

/// [`from_price`] over an index built once (the menu view asks for every dish: building the
/// index per dish made a 20,000-dish menu quadratic).
pub fn from_price_in(ix: &crate::catalog::CatalogIndex<'_>, dish_id: &str) -> Option<Money> {
    let dish = ix.dishes.get(dish_id)?;
    let mut price = dish.price;
    for g in dish
        .modifier_groups
        .iter()
        .filter_map(|g| ix.groups.get(g.as_str()))
    {
        if g.min == 0 {
            continue;
        }
        let mut prices: Vec<Money> = g
            .modifiers
            .iter()
            .filter(|m| m.available)
            .flat_map(|m| std::iter::repeat_n(m.price, m.max_quantity.max(1) as usize))
            .collect();
        prices.sort();
        price += prices.into_iter().take(g.min as usize).sum();
    }
    Some(price)
}

/// Lines whose POS unit price differs from the menu's, for the "price changed" notice.
pub fn price_changes(catalog: &Catalog, pos: &Quote) -> Vec<PriceChange> {
    let ix = catalog.index();
    pos.lines
        .iter()
        .filter_map(|l| {
            let menu_price = ix
                .dishes
                .get(l.dish.as_str())
                .map(|d| d.price)
                .or_else(|| ix.combos.get(l.dish.as_str()).map(|c| c.price))?;
            (menu_price != l.unit_price && ix.dishes.contains_key(l.dish.as_str())).then(|| {
                PriceChange {
                    dish: l.dish.clone(),
                    name: l.name.clone(),
                    menu_price,
                    pos_price: l.unit_price,
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::{CartLine, ComboPick, OrderType};
    use crate::catalog::tests::sample;

    #[test]
    fn estimate_adds_modifiers_and_combo_deltas() {
        let c = sample();
        let cart = Cart {
            order_type: OrderType::EatIn,
            lines: vec![
                CartLine {
                    dish: "burger".into(),
                    qty: 2,
                    modifiers: vec![
                        ChosenModifier {
                            id: "cheese".into(),
                            qty: 1,
                        },
                        ChosenModifier {
                            id: "bacon".into(),
                            qty: 2,
                        },
                    ],
                    comment: None,
                    combo: vec![],
                },
                CartLine {
                    dish: "lunch".into(),
                    qty: 1,
                    modifiers: vec![],
                    comment: None,
                    combo: vec![
                        ComboPick {
                            slot: "main".into(),
                            dish: "burger".into(),
                            qty: 1,
                            modifiers: vec![ChosenModifier {
                                id: "ketchup".into(),
                                qty: 1,
                            }],
                        },
                        ComboPick {
                            slot: "drink".into(),
                            dish: "sprite".into(),
                            qty: 1,
                            modifiers: vec![],
                        },
                    ],
                },
            ],
        };
        let q = estimate(&c, &cart);
        // burger: (199 + 30 + 2*45.50) * 2 = 640.00; combo 349 + 30 = 379.00
        assert_eq!(q.lines[0].total.to_string(), "640.00");
        assert_eq!(q.lines[1].total.to_string(), "379.00");
        assert_eq!(q.total.to_string(), "1019.00");
        assert_eq!(q.source, QuoteSource::Estimate);
    }

    #[test]
    fn from_price_counts_cheapest_required_choice() {
        let mut c = sample();
        assert_eq!(from_price(&c, "burger").unwrap().to_string(), "199.00");
        c.modifier_groups[0].modifiers[0].price = Money::parse("10").unwrap();
        assert_eq!(from_price(&c, "burger").unwrap().to_string(), "209.00");
    }
}
