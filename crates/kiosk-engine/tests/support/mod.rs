//! Rigs shared by the engine's integration tests: the demo settings over the simulators, quick
//! timings, and carts built from whatever the demo menu holds. Each test binary compiles this
//! module on its own and uses only part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use kiosk_core::cart::{CartLine, ChosenModifier};
use kiosk_core::catalog::{Catalog, Dish};
use kiosk_engine::engine::Timings;
use kiosk_engine::secrets::{MemorySecrets, SecretStore};
use kiosk_engine::KioskConfig;

/// Timings short enough for tests: tracking, retries and payment resolution in fractions of
/// a second.
pub fn fast() -> Timings {
    Timings {
        track_every: Duration::from_millis(100),
        backoff: vec![Duration::from_millis(50)],
        payment_resolve_for: Duration::from_secs(2),
    }
}

/// The demo settings for a kiosk on the `pos` simulator at `url`, keeping its data in
/// `data_dir`, with the secrets that simulator accepts (ProCart's token; Jupiter's server id
/// and the kiosk user's password).
pub fn demo_config(
    pos: pos_sim::PosKind,
    url: &str,
    data_dir: PathBuf,
) -> (KioskConfig, MemorySecrets) {
    match pos {
        pos_sim::PosKind::Procart => {
            let c = KioskConfig::demo(url, data_dir);
            let s = MemorySecrets::with(&c.pos.secret, pos_sim::DEMO_TOKEN);
            (c, s)
        }
        pos_sim::PosKind::Jupiter => {
            let c = KioskConfig::demo_jupiter(url, data_dir);
            let s = MemorySecrets::with(&c.pos.secret, pos_sim::jupiter::SERVER_ID);
            s.set(&c.pos.user_secret, pos_sim::jupiter::KIOSK_PASSWORD)
                .unwrap();
            (c, s)
        }
    }
}

/// A simulator of the `pos` kind on 127.0.0.1:0, with the demo restaurant.
pub async fn spawn_pos(pos: pos_sim::PosKind) -> pos_sim::SimServer {
    pos_sim::spawn(pos_sim::SimConfig {
        pos,
        ..pos_sim::SimConfig::default()
    })
    .await
    .unwrap()
}

/// A dish that two can be sold of without choosing anything.
pub fn plain_dish(c: &Catalog) -> &Dish {
    c.dishes
        .iter()
        .find(|d| {
            d.availability.can_sell(2)
                && d.modifier_groups
                    .iter()
                    .filter_map(|g| c.modifier_group(g))
                    .all(|g| g.min == 0)
        })
        .expect("the demo menu has a dish without required choices")
}

/// `qty` of a dish that can be sold without choosing anything, with no comment.
pub fn simple_line(c: &Catalog, qty: u32) -> CartLine {
    CartLine {
        dish: plain_dish(c).id.clone(),
        qty,
        modifiers: vec![],
        comment: None,
        combo: vec![],
    }
}

/// Whether `d` has a modifier group the customer must choose from.
pub fn has_required_choice(c: &Catalog, d: &Dish) -> bool {
    d.modifier_groups
        .iter()
        .filter_map(|g| c.modifier_group(g))
        .any(|g| g.min > 0)
}

/// The fewest available modifiers that satisfy every required group of `d`.
pub fn required_choices(c: &Catalog, d: &Dish) -> Vec<ChosenModifier> {
    d.modifier_groups
        .iter()
        .filter_map(|g| c.modifier_group(g))
        .filter(|g| g.min > 0)
        .flat_map(|g| {
            g.modifiers
                .iter()
                .filter(|m| m.available)
                .take(g.min as usize)
                .map(|m| ChosenModifier {
                    id: m.id.clone(),
                    qty: 1,
                })
        })
        .collect()
}
