//! Local pricing: JPOS has no price check, so the kiosk prices the cart from the menu.
//!
//! The rules (reference §8.4 and §5.2.3, partly ASSUMED): a line is `price × qty`; a modifier
//! is `price × modifier qty × line qty`; automatic modifiers are always added in their default
//! quantity; a group's chosen weight `Σ weight × qty` must lie within `weight_min..=weight_max`
//! (a `null` bound is no bound) and all modifier weights of one unit, automatic ones included,
//! must not exceed the product's `max_weight_summ`. Amounts are exact decimals, each line
//! rounded half away from zero to kopecks.
//!
//! The result is an estimate ([`QuoteSource::Estimate`]): only `add_new_order` tells what
//! Jupiter charges (automatic discounts, loyalty), and the order flow reconciles the two.

use std::collections::BTreeMap;

use kiosk_core::cart::{Cart, MAX_LINE_QTY};
use kiosk_core::catalog::{Catalog, PosId};
use kiosk_core::pricing::{Quote, QuoteLine, QuoteModifier, QuoteSource};
use kiosk_core::{Money, PosError};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::catalog::{JupiterMenu, ProductInfo};
use crate::wire::Tax;

#[derive(Debug, Clone, PartialEq)]
pub struct PricedCart {
    pub lines: Vec<PricedLine>,
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PricedLine {
    pub dish: PosId,
    pub name: String,
    pub unit_price: Money,
    pub qty: u32,
    pub product: ProductInfo,
    pub modifiers: Vec<PricedModifier>,
    /// `price × qty` plus every modifier's total, each rounded to kopecks.
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PricedModifier {
    pub id: PosId,
    pub name: String,
    pub price: Money,
    /// Per unit of the parent line, as ORDER_JSON carries it.
    pub qty: Decimal,
    pub auto: bool,
    pub product: ProductInfo,
    /// `price × qty × line qty`.
    pub total: Money,
}

/// Why a cart cannot be priced. Line numbers are 1-based, as in [`kiosk_core::cart::CartProblem`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PricingError {
    #[error("the cart is empty")]
    Empty,
    #[error("line {line}: dish {dish} is not on the menu")]
    UnknownDish { line: u32, dish: PosId },
    #[error("line {line}: {name} is not available now")]
    Unavailable {
        line: u32,
        dish: PosId,
        name: String,
    },
    #[error("line {line}: quantity {qty} must be from 1 to {MAX_LINE_QTY}")]
    BadQuantity { line: u32, qty: u32 },
    #[error("line {line}: Jupiter has no combos")]
    ComboUnsupported { line: u32 },
    #[error("line {line}: modifier {modifier} is not offered with this dish")]
    UnknownModifier { line: u32, modifier: PosId },
    #[error("line {line}: modifier {modifier} quantity {qty} must be from 1 to {max}")]
    ModifierQuantity {
        line: u32,
        modifier: PosId,
        qty: u32,
        max: u32,
    },
    #[error("line {line}: the choice in \"{group_name}\" weighs {chosen}; allowed {}..{}", fmt_bound(.min), fmt_bound(.max))]
    GroupWeight {
        line: u32,
        group: PosId,
        group_name: String,
        min: Option<Decimal>,
        max: Option<Decimal>,
        chosen: Decimal,
    },
    #[error("line {line}: the modifiers weigh {chosen} in all; at most {max} per portion")]
    ProductWeight {
        line: u32,
        max: Decimal,
        chosen: Decimal,
    },
}

fn fmt_bound(d: &Option<Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_default()
}

impl From<PricingError> for PosError {
    fn from(e: PricingError) -> PosError {
        match &e {
            PricingError::UnknownDish { dish, .. } | PricingError::Unavailable { dish, .. } => {
                PosError::DishUnavailable {
                    dish: Some(dish.clone()),
                    message: e.to_string(),
                }
            }
            _ => PosError::Refused {
                reason: e.to_string(),
            },
        }
    }
}

/// Prices the cart with the catalog's prices and names and, when `menu` is given, its weights,
/// codes and default quantities. Without `menu` every weight is 1 and the catalog's counts
/// apply.
pub fn price_cart(
    catalog: &Catalog,
    menu: Option<&JupiterMenu>,
    cart: &Cart,
) -> Result<PricedCart, PricingError> {
    if cart.lines.is_empty() {
        return Err(PricingError::Empty);
    }
    let ix = catalog.index();
    let mut lines = Vec::with_capacity(cart.lines.len());
    for (i, line) in cart.lines.iter().enumerate() {
        let n = i as u32 + 1;
        if line.qty == 0 || line.qty > MAX_LINE_QTY {
            return Err(PricingError::BadQuantity {
                line: n,
                qty: line.qty,
            });
        }
        if !line.combo.is_empty() {
            return Err(PricingError::ComboUnsupported { line: n });
        }
        let Some(dish) = ix.dishes.get(line.dish.as_str()) else {
            return Err(PricingError::UnknownDish {
                line: n,
                dish: line.dish.clone(),
            });
        };
        if !dish.availability.can_sell(line.qty) {
            return Err(PricingError::Unavailable {
                line: n,
                dish: dish.id.clone(),
                name: dish.name.clone(),
            });
        }
        let product = menu
            .and_then(|m| m.products.get(&dish.id).cloned())
            .unwrap_or_else(|| bare_product(&dish.id, &dish.name));
        let line_qty = Decimal::from(line.qty);

        // (group, modifier) → (qty per unit, auto), in menu order for a stable ORDER_JSON.
        let mut picked: BTreeMap<(usize, usize), (Decimal, bool)> = BTreeMap::new();
        let groups: Vec<_> = dish
            .modifier_groups
            .iter()
            .filter_map(|g| ix.groups.get(g.as_str()).copied())
            .collect();
        for (gi, g) in groups.iter().enumerate() {
            let info = menu.and_then(|m| m.groups.get(&g.id));
            let auto = info
                .map(|i| i.auto)
                .unwrap_or_else(|| !g.modifiers.is_empty() && g.modifiers.iter().all(|m| m.auto));
            if !auto {
                continue;
            }
            for (mi, m) in g.modifiers.iter().enumerate() {
                let qty = info
                    .and_then(|i| i.items.iter().find(|x| x.product.uid == m.id))
                    .map(|x| x.quantity)
                    .unwrap_or_else(|| Decimal::from(m.max_quantity.max(1)));
                picked.insert((gi, mi), (qty, true));
            }
        }
        for chosen in &line.modifiers {
            let found = groups.iter().enumerate().find_map(|(gi, g)| {
                g.modifiers
                    .iter()
                    .position(|m| m.id == chosen.id && m.available)
                    .map(|mi| (gi, mi))
            });
            let Some(key) = found else {
                return Err(PricingError::UnknownModifier {
                    line: n,
                    modifier: chosen.id.clone(),
                });
            };
            let m = &groups[key.0].modifiers[key.1];
            if m.auto {
                // Already included in its default quantity; the customer cannot change it.
                continue;
            }
            let max = m.max_quantity.max(1);
            let entry = picked.entry(key).or_insert((Decimal::ZERO, false));
            entry.0 += Decimal::from(chosen.qty);
            if chosen.qty == 0 || entry.0 > Decimal::from(max) {
                return Err(PricingError::ModifierQuantity {
                    line: n,
                    modifier: chosen.id.clone(),
                    qty: entry.0.to_u32().unwrap_or(u32::MAX).max(chosen.qty),
                    max,
                });
            }
        }

        // Weights per group, then per product.
        let weight_of = |gi: usize, mi: usize| -> Decimal {
            let g = groups[gi];
            menu.and_then(|m| m.groups.get(&g.id))
                .and_then(|i| i.items.iter().find(|x| x.product.uid == g.modifiers[mi].id))
                .map(|x| x.weight)
                .unwrap_or(Decimal::ONE)
        };
        let mut product_weight = Decimal::ZERO;
        for (gi, g) in groups.iter().enumerate() {
            let chosen: Decimal = picked
                .iter()
                .filter(|((pg, _), _)| *pg == gi)
                .map(|((_, mi), (qty, _))| weight_of(gi, *mi) * qty)
                .sum();
            product_weight += chosen;
            let info = menu.and_then(|m| m.groups.get(&g.id));
            let (auto, min, max) = match info {
                Some(i) => (i.auto, i.weight_min, i.weight_max),
                None => (
                    g.modifiers.iter().all(|m| m.auto),
                    Some(Decimal::from(g.min)),
                    g.max.map(Decimal::from),
                ),
            };
            if auto {
                continue;
            }
            let below = min.is_some_and(|min| chosen < min);
            let above = max.is_some_and(|max| chosen > max);
            if below || above {
                return Err(PricingError::GroupWeight {
                    line: n,
                    group: g.id.clone(),
                    group_name: g.name.clone(),
                    min,
                    max,
                    chosen: chosen.normalize(),
                });
            }
        }
        if let Some(max) = product.max_weight_summ {
            if product_weight > max {
                return Err(PricingError::ProductWeight {
                    line: n,
                    max: max.normalize(),
                    chosen: product_weight.normalize(),
                });
            }
        }

        let mut modifiers = Vec::new();
        for ((gi, mi), (qty, auto)) in picked {
            let m = &groups[gi].modifiers[mi];
            let info = menu
                .and_then(|mm| mm.groups.get(&groups[gi].id))
                .and_then(|i| i.items.iter().find(|x| x.product.uid == m.id));
            modifiers.push(PricedModifier {
                id: m.id.clone(),
                name: m.name.clone(),
                price: m.price,
                qty,
                auto,
                product: info
                    .map(|i| i.product.clone())
                    .unwrap_or_else(|| bare_product(&m.id, &m.name)),
                total: (m.price * qty * line_qty).round(),
            });
        }
        lines.push(PricedLine {
            dish: dish.id.clone(),
            name: dish.name.clone(),
            unit_price: dish.price,
            qty: line.qty,
            product,
            // Summed from the same rounded parts ORDER_JSON carries, so the two always agree.
            total: (dish.price * line_qty).round()
                + modifiers.iter().map(|m| m.total).sum::<Money>(),
            modifiers,
        });
    }
    let total = lines.iter().map(|l| l.total).sum();
    Ok(PricedCart { lines, total })
}

fn bare_product(uid: &str, name: &str) -> ProductInfo {
    ProductInfo {
        uid: uid.to_string(),
        name: name.to_string(),
        code: String::new(),
        tax: Tax::NoTax,
        group_name: String::new(),
        subgroup_name: String::new(),
        max_weight_summ: None,
        show_modifiers_always: false,
    }
}

impl PricedCart {
    /// The kiosk's quote. Never `QuoteSource::Pos`: nothing here was confirmed by Jupiter.
    pub fn to_quote(&self) -> Quote {
        let lines: Vec<QuoteLine> = self
            .lines
            .iter()
            .map(|l| QuoteLine {
                dish: l.dish.clone(),
                name: l.name.clone(),
                qty: l.qty,
                unit_price: l.unit_price,
                modifiers: l
                    .modifiers
                    .iter()
                    .map(|m| QuoteModifier {
                        id: m.id.clone(),
                        name: m.name.clone(),
                        qty: m.qty.ceil().to_u32().unwrap_or(u32::MAX),
                        total: m.total,
                    })
                    .collect(),
                total: l.total,
            })
            .collect();
        Quote {
            source: QuoteSource::Estimate,
            lines,
            adjustments: vec![],
            subtotal: self.total,
            total: self.total,
        }
    }
}
