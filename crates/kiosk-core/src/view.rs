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
        for d in &catalog.dishes {
            let from = pricing::from_price(&catalog, &d.id).filter(|p| *p != d.price);
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
