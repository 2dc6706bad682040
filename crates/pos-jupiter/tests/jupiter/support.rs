//! Shared test helpers: fixtures, a Jupiter simulator on `127.0.0.1:0`, its admin endpoints,
//! and a client configured for tests (short timeouts, no back-off, a fixed clock).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kiosk_core::cart::{Cart, CartLine, ChosenModifier, OrderType};
use pos_jupiter::wire::GetTtResponse;
use pos_jupiter::{FixedClock, JupiterConfig, JupiterPos, Secret, UserCredentials};
use pos_sim::jupiter::{JupiterSimConfig, MenuDoc, KIOSK_PASSWORD, SERVER_ID};
use pos_sim::{PosKind, SimConfig, SimServer};
use serde_json::Value;

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

pub fn gettt(name: &str) -> GetTtResponse {
    serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock(time::macros::datetime!(2024-03-04 12:05:10)))
}

/// The simulator with the generated menu (pictures, weights, taxes) unless told otherwise.
pub struct Sim {
    pub server: SimServer,
    http: reqwest::Client,
}

impl Sim {
    pub async fn start() -> Sim {
        Sim::with(JupiterSimConfig {
            menu: MenuDoc::generated(24),
            ..Default::default()
        })
        .await
    }

    pub async fn seed() -> Sim {
        Sim::with(JupiterSimConfig::default()).await
    }

    pub async fn with(jupiter: JupiterSimConfig) -> Sim {
        let server = pos_sim::spawn(SimConfig {
            pos: PosKind::Jupiter,
            jupiter,
            ..Default::default()
        })
        .await
        .expect("simulator starts");
        Sim {
            server,
            http: reqwest::Client::new(),
        }
    }

    pub fn jpos_url(&self) -> String {
        format!("{}/jpos/index.php", self.server.url())
    }

    pub async fn get(&self, path: &str) -> Value {
        let r = self
            .http
            .get(format!("{}{path}", self.server.url()))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}{path}", self.server.url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "POST {path}: {}", r.status());
        r.json().await.unwrap()
    }

    pub async fn orders(&self) -> Vec<Value> {
        self.get("/_sim/orders").await["orders"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub async fn order(&self, uid: &str) -> Value {
        self.orders()
            .await
            .into_iter()
            .find(|o| o["uid"] == uid)
            .unwrap_or_else(|| panic!("no order {uid} in the simulator"))
    }

    pub async fn prints(&self) -> Vec<Value> {
        self.get("/_sim/prints").await["prints"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub async fn fault(&self, fault: Value) {
        self.post("/_sim/faults", fault).await;
    }

    pub async fn config(&self, patch: Value) {
        self.post("/_sim/config", patch).await;
    }

    /// A raw JPOS call, for checks of the wire itself.
    pub async fn raw(&self, body: Value) -> Value {
        self.http
            .post(self.jpos_url())
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub fn config_for_tests(&self) -> JupiterConfig {
        let mut c = JupiterConfig::new(
            self.jpos_url(),
            Secret::new(SERVER_ID),
            UserCredentials::Password(Secret::new(KIOSK_PASSWORD)),
        );
        c.request_timeout = Duration::from_secs(5);
        c.menu_timeout = Duration::from_secs(10);
        c.connect_timeout = Duration::from_secs(2);
        c.retry_backoff = Duration::ZERO;
        c.source = "Киоск".into();
        c.staff_name = "Киоск 1".into();
        c
    }

    pub fn pos(&self) -> JupiterPos {
        self.pos_with(self.config_for_tests())
    }

    pub fn pos_with(&self, cfg: JupiterConfig) -> JupiterPos {
        JupiterPos::new(cfg).unwrap().with_clock(clock())
    }
}

pub fn line(dish: &str, qty: u32, mods: &[(&str, u32)]) -> CartLine {
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

pub fn cart(lines: Vec<CartLine>) -> Cart {
    Cart {
        order_type: OrderType::Takeaway,
        lines,
    }
}

/// A cart for the generated menu: a roll (automatic sauces, a required add-on) and a drink.
/// Roll 3:1:0:1001 = 49.00 (+ cheese 59.00, sauces free), drink 3:1:0:1003 = 191.50: 407.50.
pub fn roll_and_drink() -> Cart {
    cart(vec![
        line("3:1:0:1001", 2, &[("3:99:0:60002", 1)]),
        line("3:1:0:1003", 1, &[]),
    ])
}
