//! `kioskctl` as a black box: the built binary against the simulator, checking the JSON contract
//! documented in the README and the failure behaviour (message on stderr, non-zero exit).

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
    fn run(&self, token: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kioskctl"))
            .args([
                "--pos",
                "procart",
                "--url",
                &self.url,
                "--token-env",
                "KIOSKCTL_TEST_TOKEN",
            ])
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(["--category", "eat_in=1", "--category", "takeaway=2"])
            .args(args)
            .env("KIOSKCTL_TEST_TOKEN", token)
            .output()
            .expect("kioskctl runs")
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(pos_sim::DEMO_TOKEN, args);
        one_json(args, out)
    }

    fn cart(&self, json: &str) -> String {
        write_cart(self.dir.path(), json)
    }
}

async fn ctl() -> (pos_sim::SimServer, Ctl) {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let url = sim.url();
    (
        sim,
        Ctl {
            url,
            dir: tempfile::tempdir().unwrap(),
        },
    )
}

/// Two cheeseburgers with their required sauce, by the demo menu's codes
/// (`crates/pos-sim/fixtures/demo-menu.json`).
const DEMO_CART: &str = r#"{"order_type":"takeaway","lines":[{"dish":"1001","qty":2,"modifiers":[{"id":"5001","qty":1}],"comment":"без лука"}]}"#;

#[tokio::test(flavor = "multi_thread")]
async fn ping_menu_price_order_orders() {
    let (sim, c) = ctl().await;
    let ping = c.json(&["ping", "--json"]);
    assert_eq!(ping["token_valid"], true);
    assert_eq!(ping["cash_server_available"], true);
    assert!(ping["gateway_version"].is_string());

    let menu = c.json(&["menu", "--json"]);
    assert!(menu["dishes"].as_u64().unwrap() >= 60);
    assert!(menu["sections"].as_u64().unwrap() >= 8);
    assert!(menu["modifier_groups"].as_u64().unwrap() >= 1);
    assert!(menu["combos"].as_u64().unwrap() >= 2);
    assert!(menu["faults"].is_array());

    let cart = c.cart(DEMO_CART);
    let price = c.json(&["price", "--cart", &cart, "--json"]);
    let total = price["total"].as_str().unwrap().to_string();
    assert!(total.contains('.'), "a decimal string: {total}");

    let order = c.json(&["order", "--cart", &cart, "--pay", "simulator", "--json"]);
    assert_eq!(order["total"], total.as_str());
    assert_eq!(order["status"], "open");
    assert_eq!(order["state"], "posted");
    let id = order["pos_order_id"].as_str().unwrap();
    let sim_orders = sim.control().orders();
    assert_eq!(sim_orders.len(), 1);
    assert_eq!(sim_orders[0].guid, id);

    let counter = c.json(&["order", "--cart", &cart, "--pay", "counter", "--json"]);
    assert_eq!(counter["pay_at_counter"], true);
    assert_eq!(sim.control().orders().len(), 2);
    assert_eq!(
        sim.control().payments().len(),
        1,
        "pay at the counter charges nothing"
    );

    let orders = c.json(&["orders", "--json"]);
    assert_eq!(orders["orders"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_are_explained_on_stderr_with_a_non_zero_exit() {
    let (sim, c) = ctl().await;
    let bad_token = c.run("not-a-token", &["ping", "--json"]);
    assert!(!bad_token.status.success());
    assert!(String::from_utf8_lossy(&bad_token.stderr).contains("not ready"));

    let garbage = c.cart("{\"lines\": 42}");
    let out = c.run(pos_sim::DEMO_TOKEN, &["price", "--cart", &garbage]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid cart"));

    let missing = c.run(
        pos_sim::DEMO_TOKEN,
        &["price", "--cart", "/nonexistent/cart.json"],
    );
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read the cart file"));

    let rules = c.cart(r#"{"order_type":"eat_in","lines":[{"dish":"1001","qty":1}]}"#);
    let out = c.run(
        pos_sim::DEMO_TOKEN,
        &["order", "--cart", &rules, "--pay", "simulator"],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("choose at least"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(sim.control().payments().is_empty());

    let down = Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .args([
            "--pos",
            "procart",
            "--url",
            "http://127.0.0.1:9",
            "--token-env",
            "T",
            "ping",
        ])
        .env("T", "x")
        .output()
        .unwrap();
    assert!(!down.status.success());
    assert!(String::from_utf8_lossy(&down.stderr).contains("cannot be reached"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_paid_at_the_counter_is_closed_with_its_payment() {
    let (sim, c) = ctl().await;
    let cart = c.cart(DEMO_CART);
    let order = c.json(&["order", "--cart", &cart, "--pay", "counter", "--json"]);
    let guid = order["pos_order_id"].as_str().unwrap().to_string();
    let total = order["total"].as_str().unwrap().to_string();
    assert_eq!(order["status"], "open");

    let info = c.json(&["print-info", "--order", &guid, "--json"]);
    assert!(
        info["comment"]
            .as_str()
            .unwrap()
            .contains("to pay at the counter"),
        "{info}"
    );

    // The cashier took the money: close the order with that payment.
    let closed = c.json(&[
        "close",
        "--order",
        &guid,
        "--amount",
        &total,
        "--transaction-id",
        "CASH-1",
        "--json",
    ]);
    assert_eq!(closed["status"]["kind"], "closed");
    assert_eq!(closed["paid"], total.as_str());
    let o = &sim.control().orders()[0];
    assert_eq!(o.paid_sum.to_string(), total);

    // Closing it again is refused by the POS, with a message and a non-zero exit.
    let again = c.run(pos_sim::DEMO_TOKEN, &["close", "--order", &guid]);
    assert!(!again.status.success());
    assert!(!again.stderr.is_empty());
}
