//! The customer's cart and its rules.
//!
//! The cart is what the UI sends and what `kioskctl` reads from a file: dishes and combos by the
//! POS's own ids, with chosen modifiers and quantities. [`check`] applies the menu's rules
//! (required groups, min/max, availability) so a mistake is explained to the customer before
//! the POS is asked.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::catalog::{Catalog, ModifierGroup, PosId};

/// Eat in or take away. The settings map each to a POS order category, which selects prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OrderType {
    #[default]
    EatIn,
    Takeaway,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[ts(export)]
pub struct Cart {
    pub order_type: OrderType,
    pub lines: Vec<CartLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CartLine {
    /// A dish id, or a combo id when `combo` is present.
    pub dish: PosId,
    pub qty: u32,
    #[serde(default)]
    pub modifiers: Vec<ChosenModifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub comment: Option<String>,
    /// The combo's components, one entry per chosen dish.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<ComboPick>>")]
    pub combo: Vec<ComboPick>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChosenModifier {
    pub id: PosId,
    pub qty: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ComboPick {
    pub slot: PosId,
    pub dish: PosId,
    #[serde(default = "one")]
    pub qty: u32,
    #[serde(default)]
    pub modifiers: Vec<ChosenModifier>,
}

fn one() -> u32 {
    1
}

/// Longest per-dish comment we pass on; the POS turns it into an open modifier.
pub const MAX_DISH_COMMENT: usize = 100;
/// Most portions of one line, a guard against a stuck touch or a malicious cart file.
pub const MAX_LINE_QTY: u32 = 99;
/// Most lines in one cart: far above any real order, low enough that a hostile cart never
/// reaches the POS or makes the checks slow.
pub const MAX_CART_LINES: usize = 100;

/// One reason the cart cannot be ordered as it is. The UI shows `message` keys by `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum CartProblem {
    Empty,
    UnknownDish {
        line: u32,
        dish: PosId,
    },
    Unavailable {
        line: u32,
        dish: PosId,
        name: String,
    },
    BadQuantity {
        line: u32,
        qty: u32,
    },
    UnknownModifier {
        line: u32,
        modifier: PosId,
    },
    TooFewModifiers {
        line: u32,
        group: PosId,
        group_name: String,
        min: u32,
        chosen: u32,
    },
    TooManyModifiers {
        line: u32,
        group: PosId,
        group_name: String,
        max: u32,
        chosen: u32,
    },
    ModifierQuantity {
        line: u32,
        modifier: PosId,
        max: u32,
    },
    ComboSlot {
        line: u32,
        slot: PosId,
        slot_name: String,
        min: u32,
        max: u32,
        chosen: u32,
    },
    ComboChoice {
        line: u32,
        slot: PosId,
        dish: PosId,
    },
    CommentTooLong {
        line: u32,
        max: u32,
    },
    /// The comment holds control characters (line breaks, escapes): the kitchen slip would not
    /// print it as typed.
    CommentInvalid {
        line: u32,
    },
    TooManyLines {
        max: u32,
    },
}

impl CartProblem {
    pub fn describe(&self) -> String {
        match self {
            CartProblem::Empty => "the cart is empty".into(),
            CartProblem::UnknownDish { line, dish } => {
                format!("line {line}: dish {dish} is not on the menu")
            }
            CartProblem::Unavailable { line, name, .. } => {
                format!("line {line}: {name} is not available now")
            }
            CartProblem::BadQuantity { line, qty } => {
                format!("line {line}: quantity {qty} must be from 1 to {MAX_LINE_QTY}")
            }
            CartProblem::UnknownModifier { line, modifier } => {
                format!("line {line}: modifier {modifier} is not offered with this dish")
            }
            CartProblem::TooFewModifiers {
                line,
                group_name,
                min,
                chosen,
                ..
            } => format!("line {line}: choose at least {min} in \"{group_name}\" (chosen {chosen})"),
            CartProblem::TooManyModifiers {
                line,
                group_name,
                max,
                chosen,
                ..
            } => format!("line {line}: choose at most {max} in \"{group_name}\" (chosen {chosen})"),
            CartProblem::ModifierQuantity {
                line,
                modifier,
                max,
            } => format!("line {line}: modifier {modifier} can be added at most {max} times"),
            CartProblem::ComboSlot {
                line,
                slot_name,
                min,
                max,
                chosen,
                ..
            } => format!(
                "line {line}: combo part \"{slot_name}\" needs {min}..{max} choices (chosen {chosen})"
            ),
            CartProblem::ComboChoice { line, slot, dish } => {
                format!("line {line}: dish {dish} is not a choice of combo part {slot}")
            }
            CartProblem::CommentTooLong { line, max } => {
                format!("line {line}: the comment is longer than {max} characters")
            }
            CartProblem::CommentInvalid { line } => {
                format!("line {line}: the comment holds control characters")
            }
            CartProblem::TooManyLines { max } => {
                format!("the cart has more than {max} lines")
            }
        }
    }
}

/// Checks the cart against the menu. Line numbers in problems are 1-based.
pub fn check(catalog: &Catalog, cart: &Cart) -> Result<(), Vec<CartProblem>> {
    let mut problems = Vec::new();
    if cart.lines.is_empty() {
        problems.push(CartProblem::Empty);
    }
    if cart.lines.len() > MAX_CART_LINES {
        // Checked before anything else, so a hostile cart costs nothing more.
        return Err(vec![CartProblem::TooManyLines {
            max: MAX_CART_LINES as u32,
        }]);
    }
    let ix = catalog.index();
    for (i, line) in cart.lines.iter().enumerate() {
        let n = i as u32 + 1;
        if line.qty == 0 || line.qty > MAX_LINE_QTY {
            problems.push(CartProblem::BadQuantity {
                line: n,
                qty: line.qty,
            });
        }
        if let Some(c) = &line.comment {
            if c.chars().count() > MAX_DISH_COMMENT {
                problems.push(CartProblem::CommentTooLong {
                    line: n,
                    max: MAX_DISH_COMMENT as u32,
                });
            } else if c.chars().any(char::is_control) {
                problems.push(CartProblem::CommentInvalid { line: n });
            }
        }
        if let Some(combo) = ix.combos.get(line.dish.as_str()) {
            if !combo.availability.can_sell(line.qty) {
                problems.push(CartProblem::Unavailable {
                    line: n,
                    dish: line.dish.clone(),
                    name: combo.name.clone(),
                });
            }
            for slot in &combo.slots {
                let chosen: u32 = line
                    .combo
                    .iter()
                    .filter(|p| p.slot == slot.id)
                    .fold(0u32, |sum, p| sum.saturating_add(p.qty));
                if chosen < slot.min || chosen > slot.max {
                    problems.push(CartProblem::ComboSlot {
                        line: n,
                        slot: slot.id.clone(),
                        slot_name: slot.name.clone(),
                        min: slot.min,
                        max: slot.max,
                        chosen,
                    });
                }
            }
            for pick in &line.combo {
                let slot = combo.slots.iter().find(|s| s.id == pick.slot);
                let offered = slot.is_some_and(|s| s.choices.iter().any(|c| c.dish == pick.dish));
                if !offered {
                    problems.push(CartProblem::ComboChoice {
                        line: n,
                        slot: pick.slot.clone(),
                        dish: pick.dish.clone(),
                    });
                    continue;
                }
                match ix.dishes.get(pick.dish.as_str()) {
                    Some(d) => {
                        if !d.availability.can_sell(pick.qty.saturating_mul(line.qty)) {
                            problems.push(CartProblem::Unavailable {
                                line: n,
                                dish: d.id.clone(),
                                name: d.name.clone(),
                            });
                        }
                        let groups: Vec<&ModifierGroup> = d
                            .modifier_groups
                            .iter()
                            .filter_map(|g| ix.groups.get(g.as_str()).copied())
                            .collect();
                        check_modifiers(n, &groups, &pick.modifiers, &mut problems);
                    }
                    None => problems.push(CartProblem::UnknownDish {
                        line: n,
                        dish: pick.dish.clone(),
                    }),
                }
            }
            continue;
        }
        let Some(dish) = ix.dishes.get(line.dish.as_str()) else {
            problems.push(CartProblem::UnknownDish {
                line: n,
                dish: line.dish.clone(),
            });
            continue;
        };
        if !dish.availability.can_sell(line.qty) {
            problems.push(CartProblem::Unavailable {
                line: n,
                dish: dish.id.clone(),
                name: dish.name.clone(),
            });
        }
        // A dish has no combo parts; parts sent with one would reach the POS unchecked.
        for pick in &line.combo {
            problems.push(CartProblem::ComboChoice {
                line: n,
                slot: pick.slot.clone(),
                dish: pick.dish.clone(),
            });
        }
        let groups: Vec<&ModifierGroup> = dish
            .modifier_groups
            .iter()
            .filter_map(|g| ix.groups.get(g.as_str()).copied())
            .collect();
        check_modifiers(n, &groups, &line.modifiers, &mut problems);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Min/max per group, per-modifier limits, and modifiers that the dish does not offer.
/// Auto-modifiers are added by the POS and do not count toward the customer's choices.
pub fn check_modifiers(
    line: u32,
    groups: &[&ModifierGroup],
    chosen: &[ChosenModifier],
    problems: &mut Vec<CartProblem>,
) {
    let mut per_group: HashMap<&str, u32> = HashMap::new();
    for m in chosen {
        let found = groups.iter().find_map(|g| {
            g.modifiers
                .iter()
                .find(|x| x.id == m.id && x.available)
                .map(|x| (g, x))
        });
        match found {
            Some((g, x)) => {
                if m.qty == 0 || m.qty > x.max_quantity.max(1) {
                    problems.push(CartProblem::ModifierQuantity {
                        line,
                        modifier: m.id.clone(),
                        max: x.max_quantity.max(1),
                    });
                }
                let n = per_group.entry(g.id.as_str()).or_default();
                *n = n.saturating_add(m.qty);
            }
            None => problems.push(CartProblem::UnknownModifier {
                line,
                modifier: m.id.clone(),
            }),
        }
    }
    for g in groups {
        let auto_only = g.modifiers.iter().all(|m| m.auto);
        if auto_only {
            continue;
        }
        let n = per_group.get(g.id.as_str()).copied().unwrap_or(0);
        if n < g.min {
            problems.push(CartProblem::TooFewModifiers {
                line,
                group: g.id.clone(),
                group_name: g.name.clone(),
                min: g.min,
                chosen: n,
            });
        }
        if let Some(max) = g.max {
            if n > max {
                problems.push(CartProblem::TooManyModifiers {
                    line,
                    group: g.id.clone(),
                    group_name: g.name.clone(),
                    max,
                    chosen: n,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tests::sample;

    fn line(dish: &str, qty: u32, mods: &[(&str, u32)]) -> CartLine {
        CartLine {
            dish: dish.into(),
            qty,
            modifiers: mods
                .iter()
                .map(|(id, qty)| ChosenModifier {
                    id: id.to_string(),
                    qty: *qty,
                })
                .collect(),
            comment: None,
            combo: vec![],
        }
    }

    #[test]
    fn required_group_must_be_chosen() {
        let c = sample();
        let cart = Cart {
            order_type: OrderType::EatIn,
            lines: vec![line("burger", 1, &[])],
        };
        let err = check(&c, &cart).unwrap_err();
        assert!(matches!(&err[0], CartProblem::TooFewModifiers { group, .. } if group == "sauce"));
        let ok = Cart {
            order_type: OrderType::EatIn,
            lines: vec![line("burger", 1, &[("cheese", 1)])],
        };
        assert_eq!(check(&c, &ok), Ok(()));
    }

    #[test]
    fn limits_and_unknowns_are_reported() {
        let c = sample();
        let cart = Cart {
            order_type: OrderType::EatIn,
            lines: vec![
                line("burger", 1, &[("cheese", 1), ("ketchup", 1), ("bacon", 3)]),
                line("ghost", 1, &[]),
                line("cola", 0, &[("cheese", 1)]),
            ],
        };
        let err = check(&c, &cart).unwrap_err();
        assert!(err
            .iter()
            .any(|p| matches!(p, CartProblem::TooManyModifiers { group, .. } if group == "sauce")));
        assert!(err.iter().any(
            |p| matches!(p, CartProblem::ModifierQuantity { modifier, .. } if modifier == "bacon")
        ));
        assert!(err
            .iter()
            .any(|p| matches!(p, CartProblem::UnknownDish { line: 2, .. })));
        assert!(err
            .iter()
            .any(|p| matches!(p, CartProblem::BadQuantity { line: 3, .. })));
        assert!(err
            .iter()
            .any(|p| matches!(p, CartProblem::UnknownModifier { line: 3, .. })));
    }

    #[test]
    fn combo_slots_are_checked() {
        let c = sample();
        let mut l = line("lunch", 1, &[]);
        l.combo = vec![ComboPick {
            slot: "drink".into(),
            dish: "sprite".into(),
            qty: 1,
            modifiers: vec![],
        }];
        let cart = Cart {
            order_type: OrderType::EatIn,
            lines: vec![l.clone()],
        };
        let err = check(&c, &cart).unwrap_err();
        assert!(err
            .iter()
            .any(|p| matches!(p, CartProblem::ComboSlot { slot, .. } if slot == "main")));
        l.combo.push(ComboPick {
            slot: "main".into(),
            dish: "burger".into(),
            qty: 1,
            modifiers: vec![ChosenModifier {
                id: "ketchup".into(),
                qty: 1,
            }],
        });
        let cart = Cart {
            order_type: OrderType::EatIn,
            lines: vec![l],
        };
        assert_eq!(check(&c, &cart), Ok(()));
    }

    #[test]
    fn the_cart_file_format_parses() {
        let json = r#"{"order_type":"takeaway","lines":[{"dish":"burger","qty":2,
            "modifiers":[{"id":"cheese","qty":1}],"comment":"no onion"}]}"#;
        let cart: Cart = serde_json::from_str(json).unwrap();
        assert_eq!(cart.order_type, OrderType::Takeaway);
        assert_eq!(cart.lines[0].comment.as_deref(), Some("no onion"));
        assert!(cart.lines[0].combo.is_empty());
    }

    #[test]
    fn out_of_stock_is_refused() {
        let mut c = sample();
        c.dishes[1].availability = crate::catalog::Availability::from_remains(Some(1));
        let cart = Cart {
            order_type: OrderType::EatIn,
            lines: vec![line("cola", 2, &[])],
        };
        assert!(matches!(
            &check(&c, &cart).unwrap_err()[0],
            CartProblem::Unavailable { .. }
        ));
    }
}
