//! Prices and checks a cart the way r_keeper would behind ProCart (reference §5.3, §6.2–6.11).
//!
//! Pure: takes the live menu and a cart, returns the priced order or every problem found. Both
//! `/validate` and `/postorder` call it, so the two can never disagree.
//!
//! Rules:
//! * unit prices come from the order category's price list, else the menu price (§6.2);
//! * a modifier line costs price × modifier qty × dish qty (§5.3); a combo unit costs the combo
//!   price plus the chosen components' deltas, and component modifiers are priced like a dish's;
//!   combo component quantities are per combo unit;
//! * every amount is rounded half-up to kopecks per line;
//! * percent discounts/markups apply per line (to `applies_to` lines, else all); fixed and
//!   open (sum) ones apply to the order; automatic ones come from the fixture rules;
//! * markups need ProCart ≥ 1.9.1.64 (§6.9);
//! * remains are checked over the whole cart (the same dish in two lines adds up), including
//!   combo components and modifiers; nothing is reserved.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::error::CartProblem;
use crate::fixture::{Adjustment, AdjustmentKind};
use crate::menu::{Menu, Sellable};
use crate::money::round2;
use crate::procart::wire::{
    AppliedAdjustment, CartReq, ModifierReq, PricedComboItem, PricedLine, PricedModifier,
    PricedOrder,
};

/// Switches that change pricing.
#[derive(Debug, Clone)]
pub struct PricingOptions {
    pub procart_version: String,
    pub strict_markups: bool,
}

/// A priced cart plus what it would take from the remains.
#[derive(Debug, Clone)]
pub struct Priced {
    pub order: PricedOrder,
    pub consumption: HashMap<i64, Decimal>,
}

fn problem(code: &'static str, message: String, item_index: Option<usize>) -> CartProblem {
    CartProblem {
        code,
        message,
        item_index,
        dish_code: None,
    }
}

/// A stop-list or remains problem: it names the code that is short.
fn stock_problem(
    code: &'static str,
    message: String,
    item_index: Option<usize>,
    dish_code: i64,
) -> CartProblem {
    CartProblem {
        dish_code: Some(dish_code),
        ..problem(code, message, item_index)
    }
}

/// `"1.9.1.64"` ≥ `"1.9.1.64"`, compared as numbers part by part.
pub fn version_at_least(version: &str, min: &str) -> bool {
    let parse = |s: &str| -> Vec<u64> {
        s.split('.')
            .map(|p| p.trim().parse::<u64>().unwrap_or(0))
            .collect()
    };
    let (a, b) = (parse(version), parse(min));
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x > y;
        }
    }
    true
}

fn is_positive_integer(q: Decimal) -> bool {
    q > Decimal::ZERO && q.fract().is_zero()
}

struct LineWork {
    line: PricedLine,
    base: Decimal,
    is_combo: bool,
    category: Option<i64>,
}

pub fn price_cart(
    menu: &Menu,
    cart: &CartReq,
    opts: &PricingOptions,
) -> Result<Priced, Vec<CartProblem>> {
    let fx = &menu.fixture;
    let mut problems = Vec::new();

    // Order category and table (§6.1, §6.2).
    let order_category = cart.order_category_code.or(fx.default_order_category_code);
    if let Some(oc) = cart.order_category_code {
        if !fx.order_categories.iter().any(|c| c.code == oc) {
            problems.push(problem(
                "UNKNOWN_CODE",
                format!("Неизвестная категория заказа {oc}"),
                None,
            ));
        }
    }
    let table_code = cart.table_code.unwrap_or(fx.default_table_code);
    if let Some(t) = cart.table_code {
        if !fx.tables.is_empty() && !fx.tables.iter().any(|x| x.code == t) {
            problems.push(problem(
                "UNKNOWN_CODE",
                format!("Неизвестный стол {t}"),
                None,
            ));
        }
    }
    if cart.items.is_empty() {
        problems.push(problem(
            "VALIDATION_FAILED",
            "Заказ не содержит блюд".to_string(),
            None,
        ));
    }

    let mut consumption: HashMap<i64, Decimal> = HashMap::new();
    let mut first_line_of: HashMap<i64, usize> = HashMap::new();
    let mut lines: Vec<LineWork> = Vec::new();

    for (idx, item) in cart.items.iter().enumerate() {
        if item.quantity <= Decimal::ZERO {
            problems.push(problem(
                "VALIDATION_FAILED",
                format!("Строка {}: количество должно быть больше нуля", idx + 1),
                Some(idx),
            ));
            continue;
        }
        let qty = item.quantity;
        let mut consume = |code: i64, q: Decimal| {
            *consumption.entry(code).or_default() += q;
            first_line_of.entry(code).or_insert(idx);
        };
        match menu.sellable(item.code) {
            None => problems.push(problem(
                "UNKNOWN_CODE",
                format!("Блюдо с кодом {} не найдено в меню", item.code),
                Some(idx),
            )),
            Some(Sellable::Dish(dish)) => {
                consume(dish.code, qty);
                let price = menu.price_for(dish.code, dish.price, order_category);
                let mut mods = price_modifiers(
                    menu,
                    dish.modifier_scheme_code,
                    &dish.name,
                    &item.modifiers,
                    qty,
                    order_category,
                    idx,
                    &mut problems,
                    &mut consume,
                );
                if let Some(c) = item.comment.as_deref().filter(|c| !c.trim().is_empty()) {
                    if let Some(open_code) = fx.open_modifier_code {
                        mods.push(PricedModifier {
                            code: open_code,
                            name: c.to_string(),
                            quantity: Decimal::ONE,
                            price: Decimal::ZERO,
                            sum: Decimal::ZERO,
                            open: true,
                        });
                    }
                }
                let sum = round2(price * qty);
                let mods_sum: Decimal = mods.iter().map(|m| m.sum).sum();
                lines.push(LineWork {
                    base: sum + mods_sum,
                    is_combo: false,
                    category: Some(dish.category_code),
                    line: PricedLine {
                        code: dish.code,
                        name: dish.name.clone(),
                        quantity: qty,
                        price,
                        sum,
                        discount_sum: Decimal::ZERO,
                        markup_sum: Decimal::ZERO,
                        total: Decimal::ZERO,
                        modifiers: mods,
                        comment: item.comment.clone(),
                        combo_items: Vec::new(),
                    },
                });
            }
            Some(Sellable::Combo(combo)) => {
                consume(combo.code, qty);
                let mut unit = menu.price_for(combo.code, combo.price, order_category);
                let mut items = Vec::new();
                let mut mods_sum = Decimal::ZERO;
                // Group counts per combo unit.
                let mut counts: HashMap<i64, Decimal> = HashMap::new();
                for ci in &item.combo_items {
                    let Some(group) = combo.groups.iter().find(|g| g.code == ci.group_code) else {
                        problems.push(problem(
                            "UNKNOWN_CODE",
                            format!(
                                "В комбо «{}» нет группы с кодом {}",
                                combo.name, ci.group_code
                            ),
                            Some(idx),
                        ));
                        continue;
                    };
                    let Some(choice) = group.items.iter().find(|i| i.dish_code == ci.code) else {
                        problems.push(problem(
                            "UNKNOWN_CODE",
                            format!(
                                "Блюдо {} нельзя выбрать в группе «{}» комбо «{}»",
                                ci.code, group.name, combo.name
                            ),
                            Some(idx),
                        ));
                        continue;
                    };
                    if !is_positive_integer(ci.quantity) {
                        problems.push(problem(
                            "VALIDATION_FAILED",
                            format!("Количество компонента {} должно быть целым", ci.code),
                            Some(idx),
                        ));
                        continue;
                    }
                    *counts.entry(group.code).or_default() += ci.quantity;
                    let Some(dish) = menu.dish(ci.code) else {
                        continue;
                    };
                    consume(dish.code, ci.quantity * qty);
                    unit += choice.price_delta * ci.quantity;
                    let mods = price_modifiers(
                        menu,
                        dish.modifier_scheme_code,
                        &dish.name,
                        &ci.modifiers,
                        ci.quantity * qty,
                        order_category,
                        idx,
                        &mut problems,
                        &mut consume,
                    );
                    mods_sum += mods.iter().map(|m| m.sum).sum::<Decimal>();
                    items.push(PricedComboItem {
                        group_code: group.code,
                        code: dish.code,
                        name: dish.name.clone(),
                        quantity: ci.quantity,
                        price_delta: choice.price_delta,
                        modifiers: mods,
                    });
                }
                for g in &combo.groups {
                    let n = counts.get(&g.code).copied().unwrap_or_default();
                    if n < Decimal::from(g.min) || n > Decimal::from(g.max) {
                        problems.push(problem(
                            "MODIFIER_LIMITS",
                            format!(
                                "Комбо «{}»: в группе «{}» нужно выбрать от {} до {} (выбрано {})",
                                combo.name,
                                g.name,
                                g.min,
                                g.max,
                                n.normalize()
                            ),
                            Some(idx),
                        ));
                    }
                }
                let sum = round2(unit * qty);
                lines.push(LineWork {
                    base: sum + mods_sum,
                    is_combo: true,
                    category: Some(combo.category_code),
                    line: PricedLine {
                        code: combo.code,
                        name: combo.name.clone(),
                        quantity: qty,
                        price: unit,
                        sum,
                        discount_sum: Decimal::ZERO,
                        markup_sum: Decimal::ZERO,
                        total: Decimal::ZERO,
                        modifiers: Vec::new(),
                        comment: item.comment.clone(),
                        combo_items: items,
                    },
                });
            }
        }
    }

    // Remains over the whole cart (§6.11).
    let mut codes: Vec<&i64> = consumption.keys().collect();
    codes.sort();
    for code in codes {
        let wanted = consumption[code];
        if let Some(r) = menu.remains(*code) {
            let name = menu
                .dish(*code)
                .map(|d| d.name.clone())
                .or_else(|| menu.combo(*code).map(|c| c.name.clone()))
                .or_else(|| menu.modifier(*code).map(|m| m.name.clone()))
                .unwrap_or_default();
            let at = first_line_of.get(code).copied();
            if r <= Decimal::ZERO {
                problems.push(stock_problem(
                    "DISH_STOPPED",
                    format!("Блюдо {code} «{name}» находится в стоп-листе"),
                    at,
                    *code,
                ));
            } else if wanted > r {
                problems.push(stock_problem(
                    "NOT_ENOUGH_REMAINS",
                    format!(
                        "Блюдо {code} «{name}»: осталось {}, запрошено {}",
                        r.normalize(),
                        wanted.normalize()
                    ),
                    at,
                    *code,
                ));
            }
        }
    }

    let sum: Decimal = lines.iter().map(|l| l.base).sum();

    // Discounts: automatic ones that hold, then the ones the cart asks for (§6.8, §6.10).
    let mut discounts = Vec::new();
    let mut order_discount = Decimal::ZERO;
    let wanted_discounts = select_adjustments(
        &fx.discounts,
        &cart.discounts,
        order_category,
        sum,
        "скидка",
        &mut problems,
    );
    for (rule, amount) in wanted_discounts {
        let applied = apply(rule, amount, &mut lines, sum, true, &mut order_discount);
        if applied > Decimal::ZERO {
            discounts.push(AppliedAdjustment {
                code: rule.code,
                name: rule.name.clone(),
                sum: applied,
                auto: rule.auto,
            });
        }
    }

    // Markups, from ProCart 1.9.1.64 (§6.9).
    let mut markups = Vec::new();
    let mut order_markup = Decimal::ZERO;
    let markups_supported = version_at_least(&opts.procart_version, "1.9.1.64");
    if !cart.markups.is_empty() && !markups_supported {
        problems.push(problem(
            "VALIDATION_FAILED",
            format!(
                "Наценки поддерживаются с версии ProCart 1.9.1.64 (текущая {})",
                opts.procart_version
            ),
            None,
        ));
    }
    if markups_supported {
        let wanted = select_adjustments(
            &fx.markups,
            &cart.markups,
            order_category,
            sum,
            "наценка",
            &mut problems,
        );
        for (rule, amount) in wanted {
            if opts.strict_markups && !rule.auto && rule.kind != AdjustmentKind::Open {
                problems.push(problem(
                    "VALIDATION_FAILED",
                    format!("Наценка {} не суммовая", rule.code),
                    None,
                ));
                continue;
            }
            let applied = apply(rule, amount, &mut lines, sum, false, &mut order_markup);
            if applied > Decimal::ZERO {
                markups.push(AppliedAdjustment {
                    code: rule.code,
                    name: rule.name.clone(),
                    sum: applied,
                    auto: rule.auto,
                });
            }
        }
    }

    if !problems.is_empty() {
        return Err(problems);
    }

    let mut items = Vec::with_capacity(lines.len());
    for mut w in lines {
        w.line.total = w.base - w.line.discount_sum + w.line.markup_sum;
        items.push(w.line);
    }
    let discount_sum: Decimal = discounts.iter().map(|d| d.sum).sum();
    let markup_sum: Decimal = markups.iter().map(|d| d.sum).sum();
    let total = sum - discount_sum + markup_sum;
    Ok(Priced {
        order: PricedOrder {
            valid: true,
            order_category_code: order_category,
            table_code,
            items,
            discounts,
            markups,
            sum,
            discount_sum,
            markup_sum,
            total,
        },
        consumption,
    })
}

/// Checks and prices the modifiers of one dish (or combo component) bought `units` times.
#[allow(clippy::too_many_arguments)]
fn price_modifiers(
    menu: &Menu,
    scheme_code: Option<i64>,
    dish_name: &str,
    chosen: &[ModifierReq],
    units: Decimal,
    order_category: Option<i64>,
    idx: usize,
    problems: &mut Vec<CartProblem>,
    consume: &mut impl FnMut(i64, Decimal),
) -> Vec<PricedModifier> {
    let scheme = scheme_code.and_then(|c| menu.scheme(c));
    let mut out = Vec::new();
    let mut per_group: HashMap<i64, Decimal> = HashMap::new();
    for m in chosen {
        let found = scheme.and_then(|s| menu.group_of(s, m.code));
        let Some((group, modifier)) = found else {
            let (code, msg) = if menu.modifier(m.code).is_some() {
                (
                    "MODIFIER_LIMITS",
                    format!("Модификатор {} нельзя добавить к «{dish_name}»", m.code),
                )
            } else {
                ("UNKNOWN_CODE", format!("Модификатор {} не найден", m.code))
            };
            problems.push(problem(code, msg, Some(idx)));
            continue;
        };
        if !is_positive_integer(m.quantity) || m.quantity > Decimal::from(modifier.max_quantity) {
            problems.push(problem(
                "MODIFIER_LIMITS",
                format!(
                    "«{}»: модификатор «{}» можно добавить от 1 до {} раз",
                    dish_name, modifier.name, modifier.max_quantity
                ),
                Some(idx),
            ));
            continue;
        }
        *per_group.entry(group.code).or_default() += m.quantity;
        consume(modifier.code, m.quantity * units);
        let price = menu.price_for(modifier.code, modifier.price, order_category);
        out.push(PricedModifier {
            code: modifier.code,
            name: modifier.name.clone(),
            quantity: m.quantity,
            price,
            sum: round2(price * m.quantity * units),
            open: false,
        });
    }
    if let Some(s) = scheme {
        for g in &s.groups {
            let n = per_group.get(&g.code).copied().unwrap_or_default();
            let too_few = n < Decimal::from(g.min);
            let too_many = g.max.is_some_and(|max| n > Decimal::from(max));
            if too_few || too_many {
                let max = g
                    .max
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "∞".to_string());
                problems.push(problem(
                    "MODIFIER_LIMITS",
                    format!(
                        "«{}»: в группе «{}» нужно выбрать от {} до {} (выбрано {})",
                        dish_name,
                        g.name,
                        g.min,
                        max,
                        n.normalize()
                    ),
                    Some(idx),
                ));
            }
        }
    }
    out
}

/// The rules that apply: automatic ones whose conditions hold, plus the requested ones.
fn select_adjustments<'a>(
    rules: &'a [Adjustment],
    requested: &[crate::procart::wire::AdjustmentReq],
    order_category: Option<i64>,
    sum: Decimal,
    what: &str,
    problems: &mut Vec<CartProblem>,
) -> Vec<(&'a Adjustment, Option<Decimal>)> {
    let mut out: Vec<(&Adjustment, Option<Decimal>)> = Vec::new();
    for rule in rules.iter().filter(|r| r.auto) {
        let category_ok = rule.order_category_codes.is_empty()
            || order_category.is_some_and(|oc| rule.order_category_codes.contains(&oc));
        let total_ok = rule.min_total.is_none_or(|min| sum >= min);
        if category_ok && total_ok {
            out.push((rule, None));
        }
    }
    for req in requested {
        let Some(rule) = rules.iter().find(|r| r.code == req.code) else {
            problems.push(problem(
                "UNKNOWN_CODE",
                format!("Неизвестная {what} {}", req.code),
                None,
            ));
            continue;
        };
        if out.iter().any(|(r, _)| r.code == rule.code) {
            continue;
        }
        if rule.kind == AdjustmentKind::Open {
            match req.amount {
                Some(a) if a > Decimal::ZERO => out.push((rule, Some(a))),
                _ => problems.push(problem(
                    "VALIDATION_FAILED",
                    format!("{what} {}: укажите сумму (amount > 0)", req.code),
                    None,
                )),
            }
        } else {
            out.push((rule, None));
        }
    }
    out
}

fn applies_to_line(rule: &Adjustment, line: &LineWork) -> bool {
    match &rule.applies_to {
        None => true,
        Some(a) => {
            (a.combos && line.is_combo)
                || a.codes.contains(&line.line.code)
                || line.category.is_some_and(|c| a.category_codes.contains(&c))
        }
    }
}

/// Applies one discount (or markup) rule; returns the amount it came to.
fn apply(
    rule: &Adjustment,
    amount: Option<Decimal>,
    lines: &mut [LineWork],
    sum: Decimal,
    discount: bool,
    order_level: &mut Decimal,
) -> Decimal {
    match rule.kind {
        AdjustmentKind::Percent => {
            let pct = rule.value.unwrap_or_default();
            let mut total = Decimal::ZERO;
            for l in lines.iter_mut().filter(|l| applies_to_line(rule, l)) {
                let mut a = round2(l.base * pct / Decimal::ONE_HUNDRED);
                if discount {
                    // Never below zero, however the discounts stack.
                    a = a.min(l.base - l.line.discount_sum).max(Decimal::ZERO);
                    l.line.discount_sum += a;
                } else {
                    l.line.markup_sum += a;
                }
                total += a;
            }
            total
        }
        AdjustmentKind::Fixed | AdjustmentKind::Open => {
            let mut a = round2(amount.or(rule.value).unwrap_or_default());
            if discount {
                let line_discounts: Decimal = lines.iter().map(|l| l.line.discount_sum).sum();
                a = a
                    .min(sum - line_discounts - *order_level)
                    .max(Decimal::ZERO);
            }
            *order_level += a;
            a
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert!(version_at_least("1.9.1.64", "1.9.1.64"));
        assert!(version_at_least("1.10.0.1", "1.9.1.64"));
        assert!(!version_at_least("1.9.1.7", "1.9.1.64"));
    }
}
