//! One catalog model for every POS.
//!
//! Adapters translate their menus into this shape; the UI renders it; the cart and pricing
//! check against it. Sections form a graph rather than a tree because some POS menus link
//! sections in cycles or to sections that do not exist: [`Catalog::check`] walks it with a
//! visited set, so it always terminates, and reports every fault for the installer instead of
//! failing the whole menu.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::money::Money;

/// A POS's own identifier for a menu object (an r_keeper code, a Jupiter uid). Opaque.
pub type PosId = String;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Catalog {
    /// Changes whenever the POS's menu changes.
    pub version: String,
    pub sections: Vec<Section>,
    pub dishes: Vec<Dish>,
    pub modifier_groups: Vec<ModifierGroup>,
    pub combos: Vec<Combo>,
    /// Problems found while building the catalog; the menu still works around them.
    pub faults: Vec<CatalogFault>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Section {
    pub id: PosId,
    pub name: String,
    pub parent: Option<PosId>,
    pub sort: i32,
    pub image_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Dish {
    pub id: PosId,
    pub name: String,
    pub description: Option<String>,
    pub section: PosId,
    pub price: Money,
    /// Where the POS serves the picture; the kiosk caches it and serves its own copy.
    pub image_url: Option<String>,
    pub availability: Availability,
    /// Modifier groups offered with the dish, by id, in display order.
    pub modifier_groups: Vec<PosId>,
    pub portion: Option<Portion>,
    pub badges: Vec<Badge>,
    pub sort: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Portion {
    /// A decimal string such as "150" or "0.5".
    pub value: String,
    pub unit: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Badge {
    New,
    Spicy,
    Vegetarian,
    Hit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Availability {
    Available,
    /// On sale, but only this many are left.
    Limited {
        remains: u32,
    },
    OutOfStock {
        reason: UnavailableReason,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UnavailableReason {
    /// Put on the stop-list by the restaurant.
    StopList,
    SoldOut,
}

impl Availability {
    pub fn from_remains(remains: Option<u32>) -> Availability {
        match remains {
            None => Availability::Available,
            Some(0) => Availability::OutOfStock {
                reason: UnavailableReason::SoldOut,
            },
            Some(n) => Availability::Limited { remains: n },
        }
    }

    pub fn can_sell(&self, qty: u32) -> bool {
        match self {
            Availability::Available => true,
            Availability::Limited { remains } => qty <= *remains,
            Availability::OutOfStock { .. } => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ModifierGroup {
    pub id: PosId,
    pub name: String,
    /// At least this many choices (counting quantities); 1 or more makes the group required.
    pub min: u32,
    /// At most this many; `None` means no upper limit.
    pub max: Option<u32>,
    pub modifiers: Vec<Modifier>,
}

impl ModifierGroup {
    pub fn required(&self) -> bool {
        self.min > 0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Modifier {
    pub id: PosId,
    pub name: String,
    pub price: Money,
    /// How many of this one modifier a dish may carry.
    pub max_quantity: u32,
    /// Added by the POS automatically; shown to the customer as included.
    pub auto: bool,
    pub available: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Combo {
    pub id: PosId,
    pub name: String,
    pub description: Option<String>,
    pub section: PosId,
    pub price: Money,
    pub image_url: Option<String>,
    pub availability: Availability,
    pub slots: Vec<ComboSlot>,
    pub sort: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ComboSlot {
    pub id: PosId,
    pub name: String,
    pub min: u32,
    pub max: u32,
    pub default_choice: Option<PosId>,
    pub choices: Vec<ComboChoice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ComboChoice {
    pub dish: PosId,
    /// Added to the combo's price when this choice is taken.
    pub price_delta: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CatalogFault {
    pub kind: FaultKind,
    /// The object at fault, e.g. `dish 1001`.
    pub subject: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FaultKind {
    MissingPrice,
    NegativePrice,
    DanglingSection,
    SectionCycle,
    UnreachableSection,
    DanglingModifierGroup,
    ImpossibleModifierRule,
    DanglingComboChoice,
    EmptyComboSlot,
    DuplicateId,
    MissingImage,
    Malformed,
}

impl CatalogFault {
    pub fn new(kind: FaultKind, subject: impl Into<String>, message: impl Into<String>) -> Self {
        CatalogFault {
            kind,
            subject: subject.into(),
            message: message.into(),
        }
    }
}

impl Catalog {
    pub fn dish(&self, id: &str) -> Option<&Dish> {
        self.dishes.iter().find(|d| d.id == id)
    }

    pub fn combo(&self, id: &str) -> Option<&Combo> {
        self.combos.iter().find(|c| c.id == id)
    }

    pub fn modifier_group(&self, id: &str) -> Option<&ModifierGroup> {
        self.modifier_groups.iter().find(|g| g.id == id)
    }

    /// An index for lookups on large menus; the plain finders above are fine for a cart.
    pub fn index(&self) -> CatalogIndex<'_> {
        CatalogIndex {
            dishes: self.dishes.iter().map(|d| (d.id.as_str(), d)).collect(),
            combos: self.combos.iter().map(|c| (c.id.as_str(), c)).collect(),
            groups: self
                .modifier_groups
                .iter()
                .map(|g| (g.id.as_str(), g))
                .collect(),
        }
    }

    /// Validates the graph and the rules, appending faults to `self.faults`. Dishes and groups
    /// that point at nothing keep working: the dangling links are dropped so a customer never
    /// meets them.
    pub fn check(&mut self) {
        let mut faults = Vec::new();

        let mut seen = HashSet::new();
        for s in &self.sections {
            if !seen.insert(s.id.clone()) {
                faults.push(CatalogFault::new(
                    FaultKind::DuplicateId,
                    format!("section {}", s.id),
                    "the section id appears more than once",
                ));
            }
        }
        let section_ids: HashSet<&str> = self.sections.iter().map(|s| s.id.as_str()).collect();
        let parents: HashMap<&str, Option<&str>> = self
            .sections
            .iter()
            .map(|s| (s.id.as_str(), s.parent.as_deref()))
            .collect();

        for s in &self.sections {
            if let Some(p) = &s.parent {
                if !section_ids.contains(p.as_str()) {
                    faults.push(CatalogFault::new(
                        FaultKind::DanglingSection,
                        format!("section {}", s.id),
                        format!("its parent section {p} does not exist"),
                    ));
                }
            }
            // Walk up with a visited set: a cycle is reported once per section on it.
            let mut visited = HashSet::new();
            let mut cur = Some(s.id.as_str());
            while let Some(id) = cur {
                if !visited.insert(id) {
                    if id == s.id {
                        faults.push(CatalogFault::new(
                            FaultKind::SectionCycle,
                            format!("section {}", s.id),
                            "the section is its own ancestor",
                        ));
                    }
                    break;
                }
                cur = parents.get(id).copied().flatten();
            }
        }

        let group_ids: HashSet<&str> = self.modifier_groups.iter().map(|g| g.id.as_str()).collect();
        for g in &self.modifier_groups {
            let capacity: u32 = g
                .modifiers
                .iter()
                .filter(|m| m.available)
                .map(|m| m.max_quantity.max(1))
                .sum();
            if g.min > capacity {
                faults.push(CatalogFault::new(
                    FaultKind::ImpossibleModifierRule,
                    format!("modifier group {}", g.id),
                    format!(
                        "requires at least {} choices but only {} can be made",
                        g.min, capacity
                    ),
                ));
            }
            if let Some(max) = g.max {
                if max < g.min {
                    faults.push(CatalogFault::new(
                        FaultKind::ImpossibleModifierRule,
                        format!("modifier group {}", g.id),
                        format!("maximum {max} is below minimum {}", g.min),
                    ));
                }
            }
        }

        let mut dish_ids = HashSet::new();
        for d in &mut self.dishes {
            if !dish_ids.insert(d.id.clone()) {
                faults.push(CatalogFault::new(
                    FaultKind::DuplicateId,
                    format!("dish {}", d.id),
                    "the dish id appears more than once",
                ));
            }
            if d.price.is_negative() {
                faults.push(CatalogFault::new(
                    FaultKind::NegativePrice,
                    format!("dish {}", d.id),
                    format!(
                        "price {} is negative; the dish is hidden from sale",
                        d.price
                    ),
                ));
                d.availability = Availability::OutOfStock {
                    reason: UnavailableReason::StopList,
                };
            }
            if !section_ids.contains(d.section.as_str()) {
                faults.push(CatalogFault::new(
                    FaultKind::DanglingSection,
                    format!("dish {}", d.id),
                    format!("its section {} does not exist", d.section),
                ));
            }
            let before = d.modifier_groups.len();
            let missing: Vec<String> = d
                .modifier_groups
                .iter()
                .filter(|g| !group_ids.contains(g.as_str()))
                .cloned()
                .collect();
            d.modifier_groups.retain(|g| group_ids.contains(g.as_str()));
            if d.modifier_groups.len() != before {
                faults.push(CatalogFault::new(
                    FaultKind::DanglingModifierGroup,
                    format!("dish {}", d.id),
                    format!(
                        "modifier groups {} do not exist and were left out",
                        missing.join(", ")
                    ),
                ));
            }
            if d.image_url.is_none() {
                faults.push(CatalogFault::new(
                    FaultKind::MissingImage,
                    format!("dish {}", d.id),
                    "the dish has no picture; a placeholder is shown",
                ));
            }
        }

        for c in &mut self.combos {
            for slot in &mut c.slots {
                let before = slot.choices.len();
                slot.choices.retain(|ch| dish_ids.contains(&ch.dish));
                if slot.choices.len() != before {
                    faults.push(CatalogFault::new(
                        FaultKind::DanglingComboChoice,
                        format!("combo {} slot {}", c.id, slot.id),
                        "some choices point at dishes that do not exist and were left out",
                    ));
                }
                if slot.choices.is_empty() && slot.min > 0 {
                    faults.push(CatalogFault::new(
                        FaultKind::EmptyComboSlot,
                        format!("combo {} slot {}", c.id, slot.id),
                        "the slot is required but offers nothing; the combo cannot be sold",
                    ));
                    c.availability = Availability::OutOfStock {
                        reason: UnavailableReason::StopList,
                    };
                }
            }
        }

        self.faults.extend(faults);
    }
}

pub struct CatalogIndex<'a> {
    pub dishes: HashMap<&'a str, &'a Dish>,
    pub combos: HashMap<&'a str, &'a Combo>,
    pub groups: HashMap<&'a str, &'a ModifierGroup>,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn section(id: &str, parent: Option<&str>) -> Section {
        Section {
            id: id.into(),
            name: format!("Section {id}"),
            parent: parent.map(Into::into),
            sort: 0,
            image_url: None,
        }
    }

    pub fn dish(id: &str, price: &str, groups: &[&str]) -> Dish {
        Dish {
            id: id.into(),
            name: format!("Dish {id}"),
            description: None,
            section: "s1".into(),
            price: Money::parse(price).unwrap(),
            image_url: Some(format!("http://pos/img/{id}.png")),
            availability: Availability::Available,
            modifier_groups: groups.iter().map(|g| g.to_string()).collect(),
            portion: None,
            badges: vec![],
            sort: 0,
        }
    }

    pub fn modifier(id: &str, price: &str, max_quantity: u32) -> Modifier {
        Modifier {
            id: id.into(),
            name: format!("Modifier {id}"),
            price: Money::parse(price).unwrap(),
            max_quantity,
            auto: false,
            available: true,
        }
    }

    pub fn group(id: &str, min: u32, max: Option<u32>, modifiers: Vec<Modifier>) -> ModifierGroup {
        ModifierGroup {
            id: id.into(),
            name: format!("Group {id}"),
            min,
            max,
            modifiers,
        }
    }

    pub fn sample() -> Catalog {
        Catalog {
            version: "1".into(),
            sections: vec![section("s1", None)],
            dishes: vec![
                dish("burger", "199.00", &["sauce", "extras"]),
                dish("cola", "99.50", &[]),
                dish("sprite", "99.50", &[]),
            ],
            modifier_groups: vec![
                group(
                    "sauce",
                    1,
                    Some(1),
                    vec![modifier("ketchup", "0", 1), modifier("cheese", "30.00", 1)],
                ),
                group(
                    "extras",
                    0,
                    Some(3),
                    vec![modifier("bacon", "45.50", 2), modifier("onion", "0", 1)],
                ),
            ],
            combos: vec![Combo {
                id: "lunch".into(),
                name: "Lunch".into(),
                description: None,
                section: "s1".into(),
                price: Money::parse("349.00").unwrap(),
                image_url: None,
                availability: Availability::Available,
                slots: vec![
                    ComboSlot {
                        id: "main".into(),
                        name: "Main".into(),
                        min: 1,
                        max: 1,
                        default_choice: Some("burger".into()),
                        choices: vec![ComboChoice {
                            dish: "burger".into(),
                            price_delta: Money::ZERO,
                        }],
                    },
                    ComboSlot {
                        id: "drink".into(),
                        name: "Drink".into(),
                        min: 1,
                        max: 1,
                        default_choice: Some("cola".into()),
                        choices: vec![
                            ComboChoice {
                                dish: "cola".into(),
                                price_delta: Money::ZERO,
                            },
                            ComboChoice {
                                dish: "sprite".into(),
                                price_delta: Money::parse("30").unwrap(),
                            },
                        ],
                    },
                ],
                sort: 0,
            }],
            faults: vec![],
        }
    }

    #[test]
    fn a_clean_catalog_has_no_faults() {
        let mut c = sample();
        c.check();
        assert!(c.faults.is_empty(), "{:?}", c.faults);
    }

    #[test]
    fn cycles_and_dangling_links_are_reported_and_terminate() {
        let mut c = sample();
        c.sections = vec![
            section("a", Some("b")),
            section("b", Some("a")),
            section("c", Some("missing")),
            section("s1", None),
        ];
        c.dishes[0].modifier_groups.push("nope".into());
        c.check();
        let kinds: Vec<FaultKind> = c.faults.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds
                .iter()
                .filter(|k| **k == FaultKind::SectionCycle)
                .count(),
            2
        );
        assert!(kinds.contains(&FaultKind::DanglingSection));
        assert!(kinds.contains(&FaultKind::DanglingModifierGroup));
        assert_eq!(c.dishes[0].modifier_groups, vec!["sauce", "extras"]);
    }

    #[test]
    fn impossible_rules_are_reported() {
        let mut c = sample();
        c.modifier_groups[0].min = 5;
        c.check();
        assert!(c
            .faults
            .iter()
            .any(|f| f.kind == FaultKind::ImpossibleModifierRule));
    }
}
