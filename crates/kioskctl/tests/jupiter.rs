//! `kioskctl --pos jupiter` as a black box against the Jupiter simulator (the demo restaurant):
//! ping (checkUpdate and the service user's login), menu (getTT), price (local, from the
//! menu), order (paid: sent open, then closed with the payment; at the counter: left open) and
//! orders (the service user's open orders).

mod support;

use std::process::{Command, Output};

use pos_sim::SimConfig;
use serde_json::Value;
use support::{one_json, write_cart};

struct Ctl {
    url: String,
    dir: tempfile::TempDir,
}

impl Ctl {
    fn run(&self, server_id: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kioskctl"))
            .args(["--pos", "jupiter", "--url", &self.url])
            .args(["--token-env", "KIOSKCTL_JUPITER_SERVER"])
            .args(["--user-env", "KIOSKCTL_JUPITER_USER"])
            .args(["--tender", "paymentCard"])
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .env("KIOSKCTL_JUPITER_SERVER", server_id)
            .env("KIOSKCTL_JUPITER_USER", pos_sim::jupiter::KIOSK_PASSWORD)
            .output()
            .expect("kioskctl runs")
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(pos_sim::jupiter::SERVER_ID, args);
        one_json(args, out)
    }

    fn cart(&self, json: &str) -> String {
        write_cart(self.dir.path(), json)
    }
}

async fn ctl() -> (pos_sim::SimServer, Ctl) {
    let sim = pos_sim::spawn(SimConfig {
        pos: pos_sim::PosKind::Jupiter,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let url = format!("{}/jpos/index.php", sim.url());
    (
        sim,
        Ctl {
            url,
            dir: tempfile::tempdir().unwrap(),
        },
    )
}

/// Two cheeseburgers (189.90) with the free ketchup their required sauce group asks for, by the
/// Jupiter demo's uids (`crates/pos-sim/src/jupiter/demo.rs`): 379.80.
const DEMO_CART: &str = r#"{"order_type":"takeaway","lines":[{"dish":"3:1:0:1001","qty":2,"modifiers":[{"id":"3:99:0:5001","qty":1}]}]}"#;

/// The simulator's view of Jupiter's orders (`GET /_sim/orders`), over a plain HTTP/1.0 request.
async fn jupiter_orders(sim: &pos_sim::SimServer) -> Vec<Value> {
    let addr = sim.url().trim_start_matches("http://").to_string();
    let body = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(s, "GET /_sim/orders HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        text.split_once("\r\n\r\n").unwrap().1.to_string()
    })
    .await
    .unwrap();
    let v: Value = serde_json::from_str(&body).unwrap();
    v["orders"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn ping_menu_price_order_orders_on_jupiter() {
    let (sim, c) = ctl().await;
    let ping = c.json(&["ping", "--json"]);
    assert_eq!(ping["pos"], "jupiter");
    assert_eq!(ping["token_valid"], true);
    assert_eq!(ping["cash_server_available"], true, "a workday is open");

    let menu = c.json(&["menu", "--json"]);
    assert!(menu["dishes"].as_u64().unwrap() >= 60);
    assert!(menu["sections"].as_u64().unwrap() >= 8);
    assert!(menu["modifier_groups"].as_u64().unwrap() >= 1);
    assert_eq!(
        menu["faults"].as_array().unwrap().len(),
        0,
        "{}",
        menu["faults"]
    );

    let cart = c.cart(DEMO_CART);
    let price = c.json(&["price", "--cart", &cart, "--json"]);
    assert_eq!(price["total"], "379.80");
    assert_eq!(price["source"], "estimate", "JPOS has no price call");

    let order = c.json(&["order", "--cart", &cart, "--pay", "simulator", "--json"]);
    assert_eq!(order["total"], "379.80");
    assert_eq!(order["status"], "closed", "closed with its payment");
    let uid = order["pos_order_id"].as_str().unwrap().to_string();
    let held = jupiter_orders(&sim).await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0]["uid"], uid.as_str());
    assert_eq!(held[0]["closed"], true);
    let pay = &held[0]["order"]["order_payment"][0];
    assert_eq!(pay["pay_type_uid"], "paymentCard");

    let counter = c.json(&["order", "--cart", &cart, "--pay", "counter", "--json"]);
    assert_eq!(
        counter["status"], "open",
        "left open until paid at the till"
    );
    let counter_uid = counter["pos_order_id"].as_str().unwrap().to_string();
    assert_eq!(
        sim.control().payments().len(),
        1,
        "the counter charges nothing"
    );

    // JPOS lists only the service user's open orders: the one paid at the counter.
    let orders = c.json(&["orders", "--json"]);
    let listed: Vec<&str> = orders["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["pos_order_id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, vec![counter_uid.as_str()]);
    assert_eq!(orders["orders"][0]["status"]["kind"], "open");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_server_id_is_reported_by_ping() {
    let (_sim, c) = ctl().await;
    let out = c.run("00000000", &["ping", "--json"]);
    assert!(
        !out.status.success(),
        "exits non-zero when the POS is not ready"
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["token_valid"], false);
    assert!(doc["licence_message"]
        .as_str()
        .unwrap()
        .contains("SERVER_ID"));
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
}
