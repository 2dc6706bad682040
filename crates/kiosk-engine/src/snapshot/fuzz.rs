//! The fuzz targets' property on stable Rust, so CI exercises it: no input makes the snapshot
//! loader panic, every failure is a typed reason, and whatever loads is a usable menu that
//! writes back to itself. Random bytes rarely get past the header, so most cases mutate a real
//! snapshot: the whole file (header, length, checksum), or only the catalog behind a correct
//! header, which reaches deep into the catalog's types.

use kiosk_core::catalog::{
    Availability, Badge, Catalog, CatalogFault, Combo, ComboChoice, ComboSlot, FaultKind, Modifier,
    ModifierGroup, Portion, UnavailableReason,
};
use kiosk_core::Money;

use super::tests::catalog;
use super::*;

/// SplitMix64: deterministic, so a failure reproduces from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A menu with every kind of object and value the catalog has.
fn rich() -> Catalog {
    let mut c = catalog(6);
    c.dishes[1].availability = Availability::Limited { remains: 3 };
    c.dishes[2].availability = Availability::OutOfStock {
        reason: UnavailableReason::StopList,
    };
    c.dishes[3].badges = vec![Badge::Hit, Badge::Spicy];
    c.dishes[3].portion = Some(Portion {
        value: "0.5".into(),
        unit: "л".into(),
    });
    c.dishes[4].description = Some("С «соусом» и \"кавычками\"\n\t😀".into());
    c.dishes[0].modifier_groups = vec!["1:11".into()];
    c.modifier_groups = vec![ModifierGroup {
        id: "1:11".into(),
        name: "Соус".into(),
        min: 1,
        max: Some(2),
        modifiers: vec![Modifier {
            id: "2002".into(),
            name: "Сырный".into(),
            price: Money::parse("39.90").unwrap(),
            max_quantity: 2,
            auto: false,
            available: true,
        }],
    }];
    c.combos = vec![Combo {
        id: "3001".into(),
        name: "Обед".into(),
        description: None,
        section: "s".into(),
        price: Money::parse("349.00").unwrap(),
        image_url: None,
        availability: Availability::Available,
        slots: vec![ComboSlot {
            id: "31".into(),
            name: "Основное".into(),
            min: 1,
            max: 1,
            default_choice: Some("1000".into()),
            choices: vec![ComboChoice {
                dish: "1000".into(),
                price_delta: Money::parse("-10.5").unwrap(),
            }],
        }],
        sort: -3,
    }];
    c.faults = vec![CatalogFault::new(
        FaultKind::MissingImage,
        "combo 3001",
        "no picture",
    )];
    c
}

const TOKENS: &[&[u8]] = &[
    b"null",
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\n",
    b"-1",
    b"1e999",
    b"18446744073709551616",
    b"\"79228162514264337593543950336\"",
    b"\"0.0000000000000000000000000001\"",
    b"\"\\ud800\"",
    b"true",
    b"\"\xd0\"",
    b"{\"kind\":\"limited\"}",
    b"\"out_of_stock\"",
    b"[]",
    b"{}",
];

fn mutate(r: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut b = base.to_vec();
    for _ in 0..=r.below(3) {
        if b.is_empty() {
            break;
        }
        let at = r.below(b.len());
        match r.below(6) {
            0 => b[at] = r.next() as u8,
            1 => b.truncate(at),
            2 => {
                let t = TOKENS[r.below(TOKENS.len())];
                b.splice(at..at, t.iter().copied());
            }
            3 => {
                let end = (at + 1 + r.below(32)).min(b.len());
                b.drain(at..end);
            }
            4 => {
                // Replace a token-sized run, e.g. a number or a key.
                let end = (at + 1 + r.below(8)).min(b.len());
                let t = TOKENS[r.below(TOKENS.len())];
                b.splice(at..end, t.iter().copied());
            }
            _ => {
                let end = (at + 1 + r.below(64)).min(b.len());
                let piece = b[at..end].to_vec();
                b.splice(at..at, piece);
            }
        }
    }
    b
}

/// What must hold for any input.
fn check(bytes: &[u8]) -> bool {
    match decode(bytes) {
        Ok(s) => {
            assert!(check_usable(&s.catalog).is_ok());
            let again =
                decode(&encode(&s.catalog, s.fetched_at)).expect("a loaded menu writes back");
            assert_eq!(again, s);
            true
        }
        // Every reason has a message for the log.
        Err(e) => {
            assert!(!e.to_string().is_empty());
            false
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut r = Rng(0x5EED_0001);
    for _ in 0..3000 {
        let len = r.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| r.next() as u8).collect();
        assert!(!check(&bytes));
    }
}

#[test]
fn mutated_files_never_panic_and_damage_is_always_caught() {
    let good = encode(&rich(), 1_763_850_000);
    let mut r = Rng(0x5EED_0002);
    let mut loaded = 0;
    for _ in 0..3000 {
        let bad = mutate(&mut r, &good);
        if check(&bad) {
            loaded += 1;
            // Only a change the header does not cover (its own spacing, say) can load.
            assert_eq!(decode(&bad).unwrap(), decode(&good).unwrap());
        }
    }
    assert!(loaded < 300, "{loaded} mutated files loaded");
}

#[test]
fn mutated_menus_behind_a_valid_header_never_panic() {
    let body = serde_json::to_vec(&rich()).unwrap();
    let mut r = Rng(0x5EED_0003);
    let (mut ok, mut failed) = (0, 0);
    for _ in 0..4000 {
        if check(&encode_body(7, &mutate(&mut r, &body))) {
            ok += 1;
        } else {
            failed += 1;
        }
    }
    // The mutations reach both sides: menus that still load and menus that do not.
    assert!(ok > 50 && failed > 50, "{ok} loaded, {failed} refused");
}

#[test]
fn hostile_shapes_are_refused_without_crashing() {
    let deep = [vec![b'['; 100_000], vec![b']'; 100_000]].concat();
    let wide = format!(
        "{{\"version\":\"x\",\"dishes\":[{}]}}",
        "{},".repeat(20_000)
    );
    for body in [
        deep,
        wide.into_bytes(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"\"menu\"".to_vec(),
        b"{\"version\":1e999}".to_vec(),
        b"\xef\xbb\xbf{}".to_vec(),
        vec![0u8; 10_000],
    ] {
        assert!(!check(&encode_body(1, &body)));
    }
}
