//! The live menu: the fixture plus what changes at run time (remains, prices, version).
//!
//! The fixture is kept as loaded and edited in place (remains go down with each order, admin
//! calls change prices); lookups go through code indexes built once, so pricing a cart against a
//! 20,000-dish menu costs a few hash lookups. `menu_version` changes whenever anything that
//! `/getmenu` shows changes, so a client that skips unchanged menus never misses a stop-list.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::fixture::{Combo, Dish, MenuFixture, Modifier, ModifierGroup, ModifierScheme};

/// Where a modifier code lives: (scheme index, group index, modifier index). A common modifier
/// can sit in several schemes, so a code maps to every place.
type ModLoc = (usize, usize, usize);

pub struct Menu {
    pub fixture: MenuFixture,
    dishes: HashMap<i64, usize>,
    combos: HashMap<i64, usize>,
    schemes: HashMap<i64, usize>,
    modifiers: HashMap<i64, Vec<ModLoc>>,
    version_base: String,
    version_n: u64,
}

/// A sellable object found by code.
pub enum Sellable<'a> {
    Dish(&'a Dish),
    Combo(&'a Combo),
}

impl Menu {
    pub fn new(fixture: MenuFixture) -> Menu {
        let mut m = Menu {
            fixture,
            dishes: HashMap::new(),
            combos: HashMap::new(),
            schemes: HashMap::new(),
            modifiers: HashMap::new(),
            version_base: crate::clock::now_local_string(),
            version_n: 1,
        };
        m.reindex();
        m
    }

    fn reindex(&mut self) {
        self.dishes = self
            .fixture
            .dishes
            .iter()
            .enumerate()
            .map(|(i, d)| (d.code, i))
            .collect();
        self.combos = self
            .fixture
            .combos
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code, i))
            .collect();
        self.schemes = self
            .fixture
            .modifier_schemes
            .iter()
            .enumerate()
            .map(|(i, s)| (s.code, i))
            .collect();
        self.modifiers.clear();
        for (si, s) in self.fixture.modifier_schemes.iter().enumerate() {
            for (gi, g) in s.groups.iter().enumerate() {
                for (mi, m) in g.modifiers.iter().enumerate() {
                    self.modifiers.entry(m.code).or_default().push((si, gi, mi));
                }
            }
        }
    }

    pub fn version(&self) -> String {
        format!("{}.{}", self.version_base, self.version_n)
    }

    fn bump(&mut self) {
        self.version_n += 1;
    }

    pub fn dish(&self, code: i64) -> Option<&Dish> {
        self.dishes.get(&code).map(|&i| &self.fixture.dishes[i])
    }

    pub fn combo(&self, code: i64) -> Option<&Combo> {
        self.combos.get(&code).map(|&i| &self.fixture.combos[i])
    }

    pub fn sellable(&self, code: i64) -> Option<Sellable<'_>> {
        if let Some(d) = self.dish(code) {
            return Some(Sellable::Dish(d));
        }
        self.combo(code).map(Sellable::Combo)
    }

    pub fn scheme(&self, code: i64) -> Option<&ModifierScheme> {
        self.schemes
            .get(&code)
            .map(|&i| &self.fixture.modifier_schemes[i])
    }

    pub fn modifier(&self, code: i64) -> Option<&Modifier> {
        self.modifiers
            .get(&code)
            .and_then(|v| v.first())
            .map(|&(s, g, m)| &self.fixture.modifier_schemes[s].groups[g].modifiers[m])
    }

    /// The group of `scheme` that offers modifier `code`.
    pub fn group_of<'a>(
        &'a self,
        scheme: &'a ModifierScheme,
        code: i64,
    ) -> Option<(&'a ModifierGroup, &'a Modifier)> {
        scheme
            .groups
            .iter()
            .find_map(|g| g.modifiers.iter().find(|m| m.code == code).map(|m| (g, m)))
    }

    /// Remains of any code: dish, combo or modifier. `None` = unlimited or unknown.
    pub fn remains(&self, code: i64) -> Option<Decimal> {
        if let Some(d) = self.dish(code) {
            return d.remains;
        }
        if let Some(c) = self.combo(code) {
            return c.remains;
        }
        self.modifier(code).and_then(|m| m.remains)
    }

    /// Sets remains of a code; false if no such code exists.
    pub fn set_remains(&mut self, code: i64, remains: Option<Decimal>) -> bool {
        let mut found = false;
        if let Some(&i) = self.dishes.get(&code) {
            self.fixture.dishes[i].remains = remains;
            found = true;
        } else if let Some(&i) = self.combos.get(&code) {
            self.fixture.combos[i].remains = remains;
            found = true;
        } else if let Some(locs) = self.modifiers.get(&code) {
            for &(s, g, m) in locs {
                self.fixture.modifier_schemes[s].groups[g].modifiers[m].remains = remains;
            }
            found = true;
        }
        if found {
            self.bump();
        }
        found
    }

    /// Sets the menu price of a code; false if no such code exists.
    pub fn set_price(&mut self, code: i64, price: Decimal) -> bool {
        let mut found = false;
        if let Some(&i) = self.dishes.get(&code) {
            self.fixture.dishes[i].price = price;
            found = true;
        } else if let Some(&i) = self.combos.get(&code) {
            self.fixture.combos[i].price = price;
            found = true;
        } else if let Some(locs) = self.modifiers.get(&code) {
            for &(s, g, m) in locs {
                self.fixture.modifier_schemes[s].groups[g].modifiers[m].price = price;
            }
            found = true;
        }
        if found {
            self.bump();
        }
        found
    }

    /// Applies quantities sold (`sign = -1`) or returned (`sign = 1`) to limited remains.
    pub fn adjust_remains(&mut self, quantities: &HashMap<i64, Decimal>, sign: i32) {
        let mut changed = false;
        for (&code, &qty) in quantities {
            if let Some(r) = self.remains(code) {
                let next = if sign < 0 { r - qty } else { r + qty };
                let next = next.max(Decimal::ZERO);
                self.set_remains_silently(code, Some(next));
                changed = true;
            }
        }
        if changed {
            self.bump();
        }
    }

    fn set_remains_silently(&mut self, code: i64, remains: Option<Decimal>) {
        if let Some(&i) = self.dishes.get(&code) {
            self.fixture.dishes[i].remains = remains;
        } else if let Some(&i) = self.combos.get(&code) {
            self.fixture.combos[i].remains = remains;
        } else if let Some(locs) = self.modifiers.get(&code) {
            for &(s, g, m) in locs {
                self.fixture.modifier_schemes[s].groups[g].modifiers[m].remains = remains;
            }
        }
    }

    /// The price of a code for an order category: the category's price list, else the menu.
    pub fn price_for(&self, code: i64, base: Decimal, order_category: Option<i64>) -> Decimal {
        order_category
            .and_then(|oc| self.fixture.order_categories.iter().find(|c| c.code == oc))
            .and_then(|oc| oc.price_list.iter().find(|p| p.code == code))
            .map(|p| p.price)
            .unwrap_or(base)
    }

    /// The category a dish or combo belongs to.
    pub fn category_of(&self, code: i64) -> Option<i64> {
        match self.sellable(code)? {
            Sellable::Dish(d) => Some(d.category_code),
            Sellable::Combo(c) => Some(c.category_code),
        }
    }
}
