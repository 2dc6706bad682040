//! The menu graph: every quirk of the vendor's sample and of a deliberately broken menu becomes
//! a fault, never a loop or a panic; a random graph always terminates with consistent output.

use std::collections::{HashMap, HashSet, VecDeque};

use kiosk_core::catalog::{Catalog, FaultKind};
use kiosk_core::Money;
use pos_jupiter::catalog::{build_menu, image_url, MenuOptions};
use pos_jupiter::wire::GetTtResponse;
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::support::gettt;

fn faults(c: &Catalog, kind: FaultKind) -> Vec<String> {
    c.faults
        .iter()
        .filter(|f| f.kind == kind)
        .map(|f| f.subject.clone())
        .collect()
}

#[test]
fn the_vendor_sample_menu_reports_its_quirks() {
    let menu = build_menu(&gettt("gettt-seed.json"), &MenuOptions::default());
    let c = &menu.catalog;
    assert_eq!(c.version, "2020-10-09 15:37:59");
    assert_eq!(menu.settings_date, "2020-10-09 15:37:59");
    // СЕТЫ → ЕЩЁ СЕТЫ → СЕТЫ.
    assert_eq!(
        faults(c, FaultKind::SectionCycle),
        vec!["section 5:98:0:1328444"]
    );
    // ГРАНД СЕТЫ points at nothing.
    let dangling = c
        .faults
        .iter()
        .find(|f| f.kind == FaultKind::DanglingSection)
        .unwrap();
    assert!(
        dangling.message.contains("5:98:0:1328445"),
        "{}",
        dangling.message
    );
    // СУШИ cannot be reached, so it and its dish are hidden.
    assert_eq!(
        faults(c, FaultKind::UnreachableSection),
        vec!["section 5:1:0:256"]
    );
    assert!(c.dish("3:1:0:178").is_none());
    // ХИТ lists two groups that do not exist; they are dropped.
    let hit = c.dish("3:1:0:79").unwrap();
    assert_eq!(hit.modifier_groups, vec!["5:98:0:1256108"]);
    let dmg = c
        .faults
        .iter()
        .find(|f| f.kind == FaultKind::DanglingModifierGroup)
        .unwrap();
    assert!(dmg.message.contains("5:99:0:23409") && dmg.message.contains("5:98:0:1087161"));
    assert_eq!(hit.description, None, "missing description");
    assert_eq!(
        c.dish("3:98:0:1182438").unwrap().description,
        None,
        "empty description"
    );
    assert_eq!(
        c.dish("3:98:0:355541").unwrap().description.as_deref(),
        Some("Столовый прибор в Азии")
    );
    // The automatic group: included, with soy sauce in its default quantity of 2.
    let auto = c.modifier_group("5:98:0:1256108").unwrap();
    assert!(auto.modifiers.iter().all(|m| m.auto));
    assert_eq!((auto.min, auto.max), (0, None), "null limits are no limits");
    assert_eq!(auto.modifiers[0].max_quantity, 2);
    // The unused group is kept and harmless; weights 0..10 of weight 1 are counts.
    let unused = c.modifier_group("5:98:0:438315").unwrap();
    assert_eq!((unused.min, unused.max), (0, Some(10)));
    // The tree has the main layout as root and no cycle.
    let main = c.sections.iter().find(|s| s.parent.is_none()).unwrap();
    assert_eq!(main.id, "5:99:0:59541");
    assert_eq!(c.sections.len(), 3);
    assert_eq!(menu.payment_types[0].uid, "paymentBonus");
    insta::assert_json_snapshot!("catalog_seed", c);
}

#[test]
fn unreachable_sections_can_be_shown() {
    let opts = MenuOptions {
        show_unreachable_sections: true,
        ..Default::default()
    };
    let c = build_menu(&gettt("gettt-seed.json"), &opts).catalog;
    let sushi = c.sections.iter().find(|s| s.id == "5:1:0:256").unwrap();
    assert_eq!(sushi.parent, None);
    assert_eq!(c.dish("3:1:0:178").unwrap().section, "5:1:0:256");
    assert_eq!(
        faults(&c, FaultKind::UnreachableSection).len(),
        1,
        "still reported"
    );
}

#[test]
fn the_reference_menu_maps_prices_images_and_limits() {
    let menu = build_menu(&gettt("gettt-reference.json"), &MenuOptions::default());
    let c = &menu.catalog;
    let water = c.dish("3:98:0:40001").unwrap();
    assert_eq!(water.price, Money::parse("89.90").unwrap());
    assert_eq!(
        water.image_url.as_deref(),
        Some("https://jpos-sim.local/images/water.png")
    );
    assert_eq!(menu.products["3:98:0:40001"].tax.order_code(), "20");
    let phil = &menu.products["3:1:0:501"];
    assert_eq!(phil.max_weight_summ, Some(3.into()));
    assert!(phil.show_modifiers_always);
    let extras = c.modifier_group("5:98:0:80002").unwrap();
    assert_eq!((extras.min, extras.max), (1, Some(2)));
    assert!(extras.required());
    assert!(!faults(c, FaultKind::SectionCycle).is_empty());
    assert_eq!(
        faults(c, FaultKind::UnreachableSection),
        vec!["section 5:1:0:399"]
    );
    insta::assert_json_snapshot!("catalog_reference", c);
}

#[test]
fn a_broken_menu_keeps_what_it_can() {
    let opts = MenuOptions {
        image_base_url: "http://sim.local:8080/".into(),
        show_unreachable_sections: false,
    };
    let menu = build_menu(&gettt("gettt-quirks.json"), &opts);
    let c = &menu.catalog;
    assert!(
        c.version.starts_with("content-"),
        "no settingsDate: the content is the version"
    );
    let malformed = faults(c, FaultKind::Malformed);
    for expected in [
        "menuSections[0]",          // a string, not a section
        "menuSections[1]",          // no uid
        "section 5:1:0:2",          // a second is_main
        "dish 3:1:0:11",            // a product button without options
        "section 5:1:0:1 button 9", // 42
        "modifier group 5:98:0:1",  // a link inside a modifier group
        "modifier 3:99:0:2",        // a modifier with modifiers
        "modifiersSections[2]",     // a group without uid
        "modifiersSections[3]",     // null
        "payment[1]",               // a payment type without uid
    ] {
        assert!(
            malformed.iter().any(|m| m.starts_with(expected)),
            "no Malformed {expected} in {malformed:?}"
        );
    }
    assert!(
        malformed.iter().any(|m| m.contains("3:1:0:13")),
        "price \"abc\": {malformed:?}"
    );
    assert_eq!(
        faults(c, FaultKind::MissingPrice),
        vec!["dish 3:1:0:12", "modifier 3:99:0:3"]
    );
    let dup = faults(c, FaultKind::DuplicateId);
    assert!(dup.contains(&"section 5:1:0:3".to_string()));
    assert!(dup.contains(&"modifier group 5:98:0:1".to_string()));
    assert!(
        dup.contains(&"dish 3:1:0:10".to_string()),
        "same product, another price"
    );
    // A self-link, the ПЕРВОЕ ↔ ВТОРОЕ ↔ ТРЕТЬЕ loops and the island's own loop.
    assert!(faults(c, FaultKind::SectionCycle).len() >= 3);
    assert_eq!(
        faults(c, FaultKind::UnreachableSection),
        vec!["section 5:1:0:50", "section 5:1:0:51"]
    );
    assert!(faults(c, FaultKind::DanglingSection)
        .iter()
        .any(|s| s == "section 5:1:0:1"));
    // What survived is usable.
    let d = c.dish("3:1:0:10").unwrap();
    assert_eq!(d.price, Money::parse("149.50").unwrap());
    assert_eq!(
        d.image_url.as_deref(),
        Some("http://sim.local:8080/images/drink/10.jpg")
    );
    assert_eq!(d.description, None);
    assert_eq!(menu.products["3:1:0:10"].tax.order_code(), "10");
    assert_eq!(menu.products["3:1:0:10"].code, "940");
    let d14 = c.dish("3:1:0:14").unwrap();
    assert_eq!(
        d14.image_url.as_deref(),
        Some("https://cdn.example.com/p/14.png")
    );
    assert_eq!(d14.description, None, "blank description");
    assert_eq!(d14.modifier_groups, vec!["5:98:0:1"]);
    assert_eq!(c.dish("3:1:0:15").unwrap().price, Money::from(100));
    assert_eq!(menu.products["3:1:0:15"].tax.order_code(), "НДС 18");
    // Weights 1 and 3 with limits 2..6: at least 1 choice, at most 6.
    let g = c.modifier_group("5:98:0:1").unwrap();
    assert_eq!((g.min, g.max), (1, Some(6)));
    assert_eq!(g.modifiers.len(), 2);
    assert_eq!(menu.payment_types.len(), 1);
    assert!(menu.payment_types[0].cash);
    assert_eq!(menu.restaurant, Default::default(), "data: [] is no data");
    insta::assert_json_snapshot!("catalog_quirks", c);
}

#[test]
fn image_links_become_absolute() {
    let base = "https://jupiter.report/";
    assert_eq!(image_url(base, ""), None);
    assert_eq!(image_url(base, "  "), None);
    assert_eq!(
        image_url(base, "http://x/a.png").as_deref(),
        Some("http://x/a.png")
    );
    assert_eq!(
        image_url(base, "HTTPS://x/a.png").as_deref(),
        Some("HTTPS://x/a.png")
    );
    assert_eq!(
        image_url(base, "//cdn/a.png").as_deref(),
        Some("https://cdn/a.png")
    );
    assert_eq!(
        image_url(base, "/img/a.png").as_deref(),
        Some("https://jupiter.report/img/a.png")
    );
    assert_eq!(
        image_url(base, "img/a b.png").as_deref(),
        Some("https://jupiter.report/img/a%20b.png")
    );
}

/// A random layout graph: links to random (possibly missing) sections, random main flags,
/// products referencing random (possibly missing) groups.
fn random_menu(n: usize, links: &[(usize, usize)], mains: &[bool], groups: &[usize]) -> Value {
    let sections: Vec<Value> = (0..n)
        .map(|i| {
            let mut buttons: Vec<Value> = links
                .iter()
                .filter(|(from, _)| *from == i)
                .map(|(_, to)| json!({"is_button": 0, "name": format!("to {to}"), "uid": format!("s{to}")}))
                .collect();
            buttons.push(json!({
                "is_button": 1, "name": format!("p{i}"), "uid": format!("p{}", i % 7),
                "options": {"code": "c", "price": i, "tax": "no_tax",
                            "modifiers": [format!("g{}", groups.get(i).copied().unwrap_or(0))]}
            }));
            json!({"name": format!("S{i}"), "uid": format!("s{i}"), "is_main": mains.get(i).copied().unwrap_or(false) as u8, "buttons": buttons})
        })
        .collect();
    json!({"status": "ok", "menu": {"settingsDate": "x", "menuSections": sections,
        "modifiersSections": [{"uid": "g0", "name": "G", "is_modifier": 1, "buttons": []}]}})
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_graph_terminates_with_a_consistent_tree(
        n in 1usize..30,
        links in prop::collection::vec((0usize..30, 0usize..40), 0..120),
        mains in prop::collection::vec(any::<bool>(), 0..30),
        groups in prop::collection::vec(0usize..3, 0..30),
        show in any::<bool>(),
    ) {
        let links: Vec<(usize, usize)> = links.into_iter().filter(|(f, _)| *f < n).collect();
        let tt: GetTtResponse = serde_json::from_value(random_menu(n, &links, &mains, &groups)).unwrap();
        let opts = MenuOptions { show_unreachable_sections: show, ..Default::default() };
        let menu = build_menu(&tt, &opts);
        let c = &menu.catalog;

        // The tree: unique ids, every parent exists, no parent cycle (bounded walk).
        let ids: HashSet<&str> = c.sections.iter().map(|s| s.id.as_str()).collect();
        prop_assert_eq!(ids.len(), c.sections.len());
        let parent: HashMap<&str, Option<&str>> =
            c.sections.iter().map(|s| (s.id.as_str(), s.parent.as_deref())).collect();
        for s in &c.sections {
            let mut cur = s.parent.as_deref();
            let mut steps = 0;
            while let Some(p) = cur {
                prop_assert!(ids.contains(p));
                steps += 1;
                prop_assert!(steps <= c.sections.len(), "parent chain loops");
                cur = parent[p];
            }
        }
        for d in &c.dishes {
            prop_assert!(ids.contains(d.section.as_str()));
        }
        prop_assert!(c.faults.iter().all(|f| f.kind != FaultKind::DanglingSection || !f.subject.starts_with("dish")));

        // Reachability from the main layout, computed independently.
        let main = (0..n).find(|i| mains.get(*i).copied().unwrap_or(false)).unwrap_or(0);
        let mut seen = vec![false; n];
        let mut q = VecDeque::from([main]);
        seen[main] = true;
        while let Some(i) = q.pop_front() {
            for (_, to) in links.iter().filter(|(f, _)| *f == i) {
                if *to < n && !seen[*to] {
                    seen[*to] = true;
                    q.push_back(*to);
                }
            }
        }
        let unreachable = seen.iter().filter(|s| !**s).count();
        prop_assert_eq!(c.faults.iter().filter(|f| f.kind == FaultKind::UnreachableSection).count(), unreachable);
        prop_assert_eq!(c.sections.len(), if show { n } else { n - unreachable });

        // A cycle is reported exactly when the link graph has one (Kahn's algorithm).
        let edges: HashSet<(usize, usize)> = links.iter().copied().filter(|(_, t)| *t < n).collect();
        let mut indeg = vec![0usize; n];
        for (_, t) in &edges {
            indeg[*t] += 1;
        }
        let mut q: VecDeque<usize> = (0..n).filter(|i| indeg[*i] == 0).collect();
        let mut removed = 0;
        while let Some(i) = q.pop_front() {
            removed += 1;
            for (_, t) in edges.iter().filter(|(f, _)| *f == i) {
                indeg[*t] -= 1;
                if indeg[*t] == 0 {
                    q.push_back(*t);
                }
            }
        }
        let has_cycle = removed < n;
        prop_assert_eq!(c.faults.iter().any(|f| f.kind == FaultKind::SectionCycle), has_cycle);
        let dangling_links = links.iter().any(|(_, t)| *t >= n);
        let reported = c.faults.iter().any(|f| f.kind == FaultKind::DanglingSection);
        // Dangling links are found while walking, so only in the sections that are shown.
        if !dangling_links {
            prop_assert!(!reported);
        }
    }
}
