//! From getTT to the kiosk's [`Catalog`], plus the Jupiter facts the catalog has no room for.
//!
//! getTT's layouts are a directed graph, not a tree (reference §5.2.7): links form cycles,
//! point at missing layouts, and some layouts cannot be reached from the main one. The build
//! is a breadth-first walk from the main layout with a visited set and a depth cap, so it
//! always terminates; every oddity becomes a [`CatalogFault`] and the rest of the menu works.
//!
//! The first layout to link to a section becomes its `parent`, which turns the graph into a
//! tree the UI can render; the links that close a cycle are reported (`SectionCycle`) but the
//! tree itself never has one. The main layout is the root (`parent: None`) and holds its own
//! products.
//!
//! Weights, codes, taxes and the automatic modifiers' default quantities are not in
//! [`Catalog`]; they are kept in [`JupiterMenu`] next to it, for local pricing and for building
//! ORDER_JSON.

use std::collections::{HashMap, HashSet, VecDeque};

use kiosk_core::catalog::{
    Availability, Catalog, CatalogFault, Dish, FaultKind, Modifier, ModifierGroup, PosId, Section,
};
use kiosk_core::Money;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::wire::{self, Lenient};

/// Deeper layouts are not shown; a real menu is a few levels deep, a generated loop is not.
pub const MAX_DEPTH: usize = 32;
/// Per-modifier cap when the menu sets no weight limit (the catalog needs a number).
pub const DEFAULT_MAX_MODIFIER_QTY: u32 = 10;

/// How to build the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuOptions {
    /// Relative image links resolve against this (ASSUMED `https://jupiter.report/`).
    pub image_base_url: String,
    /// Show layouts the main one cannot reach, as extra root sections. ASSUMED default
    /// off: Jupiter's own front end shows only what the main layout reaches.
    pub show_unreachable_sections: bool,
}

impl Default for MenuOptions {
    fn default() -> Self {
        MenuOptions {
            image_base_url: wire::DEFAULT_IMAGE_BASE.into(),
            show_unreachable_sections: false,
        }
    }
}

/// A product's order-line facts from getTT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductInfo {
    pub uid: PosId,
    pub name: String,
    pub code: String,
    pub tax: wire::Tax,
    pub group_name: String,
    pub subgroup_name: String,
    /// Limit of the total modifier weight on one unit; `None` = no limit.
    pub max_weight_summ: Option<Decimal>,
    pub show_modifiers_always: bool,
}

/// A modifier group as getTT has it: weights, not counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInfo {
    pub uid: PosId,
    pub name: String,
    /// `is_auto_modifier`: its items are added without asking, in their default quantity.
    pub auto: bool,
    pub weight_min: Option<Decimal>,
    pub weight_max: Option<Decimal>,
    pub items: Vec<ModifierInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModifierInfo {
    pub product: ProductInfo,
    pub price: Money,
    /// The default quantity (`options.quantity`, 1 when absent).
    pub quantity: Decimal,
    /// Weight of one unit (`options.weight`, 1 when absent).
    pub weight: Decimal,
}

/// getTT's payment types (ASSUMED incomplete, so the settings add their own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentTypeInfo {
    pub uid: String,
    pub name: String,
    pub cash: bool,
}

/// The catalog and the Jupiter facts behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct JupiterMenu {
    /// Checked ([`Catalog::check`] has run); `version` is getTT's `settingsDate`.
    pub catalog: Catalog,
    /// `settingsDate` exactly as received, for `checkUpdate`.
    pub settings_date: String,
    pub restaurant: wire::TtData,
    pub products: HashMap<PosId, ProductInfo>,
    pub groups: HashMap<PosId, GroupInfo>,
    pub payment_types: Vec<PaymentTypeInfo>,
}

impl JupiterMenu {
    pub fn group_of_modifier(
        &self,
        groups: &[PosId],
        modifier: &str,
    ) -> Option<(&GroupInfo, &ModifierInfo)> {
        groups
            .iter()
            .filter_map(|g| self.groups.get(g))
            .find_map(|g| {
                g.items
                    .iter()
                    .find(|m| m.product.uid == modifier)
                    .map(|m| (g, m))
            })
    }
}

/// Builds the menu from a decoded getTT answer. Never fails and never loops: what cannot be
/// used is reported in `catalog.faults`. Copies the answer; [`build_menu_owned`] moves it.
pub fn build_menu(tt: &wire::GetTtResponse, opts: &MenuOptions) -> JupiterMenu {
    build_menu_owned(tt.clone(), opts)
}

/// [`build_menu`] from an answer the caller no longer needs: its strings move into the menu
/// instead of being copied (a 20,000-dish menu holds some 200,000 of them).
pub fn build_menu_owned(mut tt: wire::GetTtResponse, opts: &MenuOptions) -> JupiterMenu {
    let version = if tt.menu.settings_date.trim().is_empty() {
        // Without a settings date the content itself is the version (hashed before anything
        // moves out of the answer).
        format!(
            "content-{:016x}",
            fnv1a(&serde_json::to_vec(&tt).unwrap_or_default())
        )
    } else {
        tt.menu.settings_date.clone()
    };
    let mut b = Builder {
        image_base: ImageBase::new(&opts.image_base_url),
        faults: Vec::new(),
        sections: Vec::new(),
        dishes: Vec::new(),
        dish_index: HashMap::new(),
        products: HashMap::new(),
    };
    let menu = &mut tt.menu;

    // Index the layouts by uid; the first of a duplicated uid wins.
    let mut layouts: Vec<wire::Section> = Vec::new();
    let mut by_uid: HashMap<String, usize> = HashMap::new();
    for (i, s) in std::mem::take(&mut menu.menu_sections)
        .into_iter()
        .enumerate()
    {
        match s.0 {
            Ok(sec) if sec.uid.trim().is_empty() => b.fault(
                FaultKind::Malformed,
                format!("menuSections[{i}]"),
                format!(
                    "layout {:?} has no uid and cannot be linked to; left out",
                    sec.name
                ),
            ),
            Ok(sec) => {
                if by_uid.contains_key(sec.uid.as_str()) {
                    b.fault(
                        FaultKind::DuplicateId,
                        format!("section {}", sec.uid),
                        "the layout uid appears more than once; the first is used",
                    );
                } else {
                    by_uid.insert(sec.uid.clone(), layouts.len());
                    layouts.push(sec);
                }
            }
            Err(m) => b.malformed(&format!("menuSections[{i}]"), &m),
        }
    }

    let mains: Vec<usize> = (0..layouts.len()).filter(|&i| layouts[i].is_main).collect();
    let root = match mains.as_slice() {
        [] if layouts.is_empty() => None,
        [] => {
            b.fault(
                FaultKind::Malformed,
                format!("section {}", layouts[0].uid),
                "no layout is marked is_main; the first layout is the main one",
            );
            Some(0)
        }
        [one] => Some(*one),
        [first, rest @ ..] => {
            for r in rest {
                b.fault(
                    FaultKind::Malformed,
                    format!("section {}", layouts[*r].uid),
                    format!(
                        "another layout is also marked is_main; {} is the main one",
                        layouts[*first].uid
                    ),
                );
            }
            Some(*first)
        }
    };

    report_cycles(&layouts, &by_uid, &mut b);

    // Sized once for every button: growing three tables of 20,000 entries step by step costs
    // more than building them.
    let buttons: usize = layouts.iter().map(|s| s.buttons.len()).sum();
    b.dishes.reserve(buttons);
    b.dish_index.reserve(buttons);
    b.products.reserve(buttons);

    let mut visited = vec![false; layouts.len()];
    if let Some(root) = root {
        b.walk(&mut layouts, &by_uid, root, &mut visited);
    }
    // All of them are reported before any is walked: walking one marks the others it links to.
    let unreachable: Vec<usize> = (0..layouts.len()).filter(|&i| !visited[i]).collect();
    let shown = opts.show_unreachable_sections;
    for &i in &unreachable {
        let s = &layouts[i];
        b.fault(
            FaultKind::UnreachableSection,
            format!("section {}", s.uid),
            if shown {
                format!("layout {:?} cannot be reached from the main layout; shown outside the main menu", s.name)
            } else {
                format!("layout {:?} cannot be reached from the main layout; hidden", s.name)
            },
        );
    }
    if shown {
        for &i in &unreachable {
            if !visited[i] {
                b.walk(&mut layouts, &by_uid, i, &mut visited);
            }
        }
    }

    let (modifier_groups, groups) = b.modifier_groups(&menu.modifiers_sections);

    let mut payment_types = Vec::new();
    for (i, p) in menu.payment.iter().enumerate() {
        match &p.0 {
            Ok(p) if !p.uid.trim().is_empty() => payment_types.push(PaymentTypeInfo {
                uid: p.uid.clone(),
                name: p.name.clone(),
                cash: p.cash,
            }),
            Ok(_) => b.fault(
                FaultKind::Malformed,
                format!("payment[{i}]"),
                "a payment type without uid; left out",
            ),
            Err(m) => b.malformed(&format!("payment[{i}]"), m),
        }
    }

    let mut catalog = Catalog {
        version,
        sections: b.sections,
        dishes: b.dishes,
        modifier_groups,
        combos: vec![],
        faults: b.faults,
    };
    catalog.check();
    JupiterMenu {
        catalog,
        settings_date: std::mem::take(&mut tt.menu.settings_date),
        restaurant: tt.data.take().unwrap_or_default(),
        products: b.products,
        groups,
        payment_types,
    }
}

struct Builder {
    image_base: ImageBase,
    faults: Vec<CatalogFault>,
    sections: Vec<Section>,
    dishes: Vec<Dish>,
    dish_index: HashMap<PosId, usize>,
    products: HashMap<PosId, ProductInfo>,
}

impl Builder {
    fn fault(&mut self, kind: FaultKind, subject: impl Into<String>, message: impl Into<String>) {
        self.faults.push(CatalogFault::new(kind, subject, message));
    }

    fn malformed(&mut self, at: &str, m: &wire::Malformed) {
        let what = match (&m.uid, &m.name) {
            (Some(u), _) => format!("{at} ({u})"),
            (None, Some(n)) => format!("{at} ({n:?})"),
            _ => at.to_string(),
        };
        self.fault(
            FaultKind::Malformed,
            what,
            format!("cannot be read and was left out: {}", m.error),
        );
    }

    /// Breadth-first from `start`: sections get their first linker as parent, products the
    /// first section that shows them. Links to visited sections are skipped, so it ends. A
    /// layout is walked once, so its buttons move out of it.
    fn walk(
        &mut self,
        layouts: &mut [wire::Section],
        by_uid: &HashMap<String, usize>,
        start: usize,
        visited: &mut [bool],
    ) {
        let mut queue = VecDeque::new();
        visited[start] = true;
        queue.push_back((start, None::<PosId>, 0usize));
        while let Some((i, parent, depth)) = queue.pop_front() {
            let buttons = std::mem::take(&mut layouts[i].buttons);
            let s = &layouts[i];
            self.sections.push(Section {
                id: s.uid.clone(),
                name: s.name.clone(),
                parent,
                sort: self.sections.len() as i32,
                image_url: None,
            });
            for (bi, button) in buttons.into_iter().enumerate() {
                let button = match button.0 {
                    Ok(b) => b,
                    Err(m) => {
                        self.malformed(&format!("section {} button {bi}", s.uid), &m);
                        continue;
                    }
                };
                if !button.is_button {
                    let Some(&t) = by_uid.get(button.uid.as_str()) else {
                        self.fault(
                            FaultKind::DanglingSection,
                            format!("section {}", s.uid),
                            format!(
                                "the link {:?} points at layout {:?}, which does not exist; the link is hidden",
                                button.name, button.uid
                            ),
                        );
                        continue;
                    };
                    if visited[t] {
                        continue;
                    }
                    if depth + 1 > MAX_DEPTH {
                        self.fault(
                            FaultKind::Malformed,
                            format!("section {}", layouts[t].uid),
                            format!(
                                "deeper than {MAX_DEPTH} levels below the main layout; not shown"
                            ),
                        );
                        continue;
                    }
                    visited[t] = true;
                    queue.push_back((t, Some(s.uid.clone()), depth + 1));
                } else {
                    self.product(&s.uid, button);
                }
            }
        }
    }

    fn product(&mut self, section: &str, button: wire::Button) {
        let subject = format!("dish {}", button.uid);
        let Some(o) = button.options else {
            self.fault(
                FaultKind::Malformed,
                subject,
                format!(
                    "product button {:?} in section {section} has no options; left out",
                    button.name
                ),
            );
            return;
        };
        if button.uid.trim().is_empty() {
            self.fault(
                FaultKind::Malformed,
                format!("section {section}"),
                format!("product button {:?} has no uid; left out", button.name),
            );
            return;
        }
        let Some(price) = o.price else {
            self.fault(
                FaultKind::MissingPrice,
                subject,
                format!("{:?} has no price; left out", button.name),
            );
            return;
        };
        if let Some(&i) = self.dish_index.get(&button.uid) {
            let first = self.dishes[i].price;
            if first != price {
                self.fault(
                    FaultKind::DuplicateId,
                    subject,
                    format!("shown in several layouts with different prices ({first} and {price}); {first} is used"),
                );
            }
            return;
        }
        if !o.action.is_empty() {
            tracing::info!(product = %button.uid, action = %o.action, "getTT product has a button action; ignored");
        }
        let wire::Button { uid, name, .. } = button;
        let wire::ProductOptions {
            code,
            tax,
            modifiers,
            show_modifiers_always,
            max_weight_summ,
            group_name,
            subgroup_name,
            image,
            description,
            ..
        } = o;
        let image_url = image.as_deref().and_then(|i| self.image_base.resolve(i));
        self.products.insert(
            uid.clone(),
            ProductInfo {
                uid: uid.clone(),
                name: name.clone(),
                code,
                tax,
                group_name,
                subgroup_name,
                max_weight_summ,
                show_modifiers_always,
            },
        );
        self.dish_index.insert(uid.clone(), self.dishes.len());
        self.dishes.push(Dish {
            id: uid,
            name,
            description,
            section: section.to_string(),
            price,
            image_url,
            // JPOS has no stop-list (reference §5.2.8).
            availability: Availability::Available,
            modifier_groups: modifiers,
            portion: None,
            badges: vec![],
            sort: self.dishes.len() as i32,
        });
    }

    fn modifier_groups(
        &mut self,
        sections: &[Lenient<wire::Section>],
    ) -> (Vec<ModifierGroup>, HashMap<PosId, GroupInfo>) {
        let mut out = Vec::new();
        let mut infos: HashMap<PosId, GroupInfo> = HashMap::new();
        for (i, s) in sections.iter().enumerate() {
            let s = match &s.0 {
                Ok(s) => s,
                Err(m) => {
                    self.malformed(&format!("modifiersSections[{i}]"), m);
                    continue;
                }
            };
            let subject = format!("modifier group {}", s.uid);
            if s.uid.trim().is_empty() {
                self.fault(
                    FaultKind::Malformed,
                    format!("modifiersSections[{i}]"),
                    "a modifier group without uid; left out",
                );
                continue;
            }
            if infos.contains_key(&s.uid) {
                self.fault(
                    FaultKind::DuplicateId,
                    subject,
                    "the modifier group uid appears more than once; the first is used",
                );
                continue;
            }
            let mut items = Vec::new();
            for (bi, button) in s.buttons.iter().enumerate() {
                let button = match &button.0 {
                    Ok(b) => b,
                    Err(m) => {
                        self.malformed(&format!("{subject} button {bi}"), m);
                        continue;
                    }
                };
                let (true, Some(o)) = (button.is_button, &button.options) else {
                    self.fault(
                        FaultKind::Malformed,
                        subject.clone(),
                        format!(
                            "{:?} is not a product button; left out of the group",
                            button.name
                        ),
                    );
                    continue;
                };
                let Some(price) = o.price else {
                    self.fault(
                        FaultKind::MissingPrice,
                        format!("modifier {}", button.uid),
                        format!(
                            "{:?} has no price; left out of group {}",
                            button.name, s.uid
                        ),
                    );
                    continue;
                };
                if !o.modifiers.is_empty() {
                    self.fault(
                        FaultKind::Malformed,
                        format!("modifier {}", button.uid),
                        "a modifier lists modifier groups of its own, which JPOS does not allow; ignored",
                    );
                }
                let positive =
                    |d: Option<Decimal>| d.filter(|d| *d > Decimal::ZERO).unwrap_or(Decimal::ONE);
                items.push(ModifierInfo {
                    product: product_info(button, o),
                    price,
                    quantity: positive(o.quantity),
                    // A zero weight is kept: it means the item does not count against limits.
                    weight: o.weight.unwrap_or(Decimal::ONE),
                });
            }
            let info = GroupInfo {
                uid: s.uid.clone(),
                name: s.name.clone(),
                auto: s.is_auto_modifier,
                weight_min: s.weight_min,
                weight_max: s.weight_max,
                items,
            };
            out.push(group_for_catalog(&info));
            infos.insert(s.uid.clone(), info);
        }
        (out, infos)
    }
}

fn product_info(button: &wire::Button, o: &wire::ProductOptions) -> ProductInfo {
    ProductInfo {
        uid: button.uid.clone(),
        name: button.name.clone(),
        code: o.code.clone(),
        tax: o.tax.clone(),
        group_name: o.group_name.clone(),
        subgroup_name: o.subgroup_name.clone(),
        max_weight_summ: o.max_weight_summ,
        show_modifiers_always: o.show_modifiers_always,
    }
}

/// The catalog counts choices where Jupiter weighs them. With the usual weight of 1 the two are
/// the same; otherwise the counts are the loosest bounds any choice could meet, and local
/// pricing enforces the exact weights.
pub fn group_for_catalog(g: &GroupInfo) -> ModifierGroup {
    let weights: Vec<Decimal> = g
        .items
        .iter()
        .map(|m| m.weight)
        .filter(|w| *w > Decimal::ZERO)
        .collect();
    let heaviest = weights.iter().copied().max();
    let lightest = weights.iter().copied().min();
    let min = match (g.auto, g.weight_min, heaviest) {
        (false, Some(wmin), Some(h)) if wmin > Decimal::ZERO => to_u32((wmin / h).ceil()),
        _ => 0,
    };
    let max = match (g.weight_max, lightest) {
        (Some(wmax), Some(l)) => Some(to_u32((wmax / l).floor())),
        (Some(_), None) => None,
        (None, _) => None,
    };
    ModifierGroup {
        id: g.uid.clone(),
        name: g.name.clone(),
        min,
        max: if g.auto { None } else { max },
        modifiers: g
            .items
            .iter()
            .map(|m| Modifier {
                id: m.product.uid.clone(),
                name: m.product.name.clone(),
                price: m.price,
                max_quantity: if g.auto {
                    // An automatic item comes in its default quantity, no more.
                    to_u32(m.quantity.ceil()).max(1)
                } else {
                    match (g.weight_max, m.weight > Decimal::ZERO) {
                        (Some(wmax), true) => {
                            to_u32((wmax / m.weight).floor()).clamp(1, DEFAULT_MAX_MODIFIER_QTY)
                        }
                        _ => DEFAULT_MAX_MODIFIER_QTY,
                    }
                },
                auto: g.auto,
                available: true,
            })
            .collect(),
    }
}

fn to_u32(d: Decimal) -> u32 {
    d.to_u32()
        .unwrap_or(if d.is_sign_negative() { 0 } else { u32::MAX })
}

/// An absolute image URL, or `None` for an empty link. ASSUMED (reference §5.2.6): absolute
/// `http(s)` links are used as they are, `//host/…` gets `https:`, anything else is relative to
/// the image base.
pub fn image_url(base: &str, link: &str) -> Option<String> {
    ImageBase::new(base).resolve(link)
}

/// The image base, parsed once per menu rather than once per dish.
struct ImageBase {
    url: Option<reqwest::Url>,
    /// `http(s)://host[:port]` of an http(s) base: a plain absolute path (`/images/roll/1.jpg`,
    /// the usual link) is appended to it, which is what joining would give, without the cost
    /// of a URL parse per dish.
    origin: Option<String>,
}

impl ImageBase {
    fn new(base: &str) -> ImageBase {
        let url = reqwest::Url::parse(base).ok();
        let origin = url
            .as_ref()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .and_then(|u| u.join("/").ok())
            .and_then(|u| u.as_str().strip_suffix('/').map(str::to_string));
        ImageBase { url, origin }
    }

    fn resolve(&self, link: &str) -> Option<String> {
        let link = link.trim();
        if link.is_empty() {
            return None;
        }
        let scheme = |s: &str| {
            link.get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s))
        };
        if scheme("http://") || scheme("https://") {
            return Some(link.to_string());
        }
        if link.starts_with("//") {
            return Some(format!("https:{link}"));
        }
        if let Some(origin) = &self.origin {
            if plain_absolute_path(link) {
                return Some(format!("{origin}{link}"));
            }
        }
        self.url.as_ref()?.join(link).ok().map(String::from)
    }
}

/// `/a/b.jpg` with nothing a URL parser would rewrite: only unreserved characters, no `.`
/// or `..` segment, no query or fragment, no percent sign or backslash.
fn plain_absolute_path(link: &str) -> bool {
    link.starts_with('/')
        && !link.starts_with("//")
        && link
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~'))
        && link.split('/').all(|seg| seg != "." && seg != "..")
}

/// Cycles in the link graph, each reported once at the link that closes it. Iterative
/// depth-first search with three colours: no recursion, so a deep or looping menu cannot
/// overflow the stack.
fn report_cycles(layouts: &[wire::Section], by_uid: &HashMap<String, usize>, b: &mut Builder) {
    let links: Vec<Vec<usize>> = layouts
        .iter()
        .map(|s| {
            let mut seen = HashSet::new();
            s.buttons
                .iter()
                .filter_map(|bt| bt.0.as_ref().ok())
                .filter(|bt| !bt.is_button)
                .filter_map(|bt| by_uid.get(bt.uid.as_str()).copied())
                .filter(|t| seen.insert(*t))
                .collect()
        })
        .collect();
    #[derive(Clone, Copy, PartialEq)]
    enum Colour {
        White,
        Grey,
        Black,
    }
    let mut colour = vec![Colour::White; layouts.len()];
    for start in 0..layouts.len() {
        if colour[start] != Colour::White {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        colour[start] = Colour::Grey;
        while let Some((node, next)) = stack.last_mut() {
            let node = *node;
            if let Some(&t) = links[node].get(*next) {
                *next += 1;
                match colour[t] {
                    Colour::White => {
                        colour[t] = Colour::Grey;
                        stack.push((t, 0));
                    }
                    Colour::Grey => {
                        let path: Vec<&str> = stack
                            .iter()
                            .skip_while(|(n, _)| *n != t)
                            .map(|(n, _)| layouts[*n].uid.as_str())
                            .collect();
                        b.fault(
                            FaultKind::SectionCycle,
                            format!("section {}", layouts[node].uid),
                            format!(
                                "links back to {}, forming the cycle {} -> {}; the link back is left out of the menu tree",
                                layouts[t].uid,
                                path.join(" -> "),
                                layouts[t].uid
                            ),
                        );
                    }
                    Colour::Black => {}
                }
            } else {
                colour[node] = Colour::Black;
                stack.pop();
            }
        }
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
