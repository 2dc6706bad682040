//! The checkout fault matrix on Jupiter (JPOS): the real engine as a separate process
//! (`kioskctl --pos jupiter order`), killed with SIGKILL at every step of the checkout
//! (`kiosk_engine::crashpoint::POINTS`), combined with Jupiter's faults, then restarted
//! (`kioskctl resume`). The terminal is the POS simulator's card terminal.
//!
//! Both strategies of `[pos] strategy` run (reference §8.4). Pay first (the default): the card
//! is charged, then the order is sent open (the kitchen ticket prints), its total is compared
//! with the amount charged, and it is sent again closed with the payment. Submit first: the
//! order is sent open before the payment, Jupiter's total is charged (the customer, here
//! `kioskctl order --accept-new-total`, accepts a discounted one first), then the order is
//! closed with the payment; any unpaid end leaves it open for staff ("NOT PAID – void order N").
//! The order uid is the kiosk's external id, so a resend after a lost answer merges instead of
//! duplicating. After each case the simulated Jupiter and the terminal are audited:
//! - every charge is matched by exactly one Jupiter order, closed with exactly that payment, or
//!   (Jupiter totals it differently) left open for staff with its checkout saying why;
//! - an order without a charge exists only when the kiosk submitted it first and its checkout
//!   tells staff it is NOT PAID: open, unpaid, never closed; otherwise a declined payment has no
//!   order;
//! - the kitchen got one ticket per order, however many times it was sent;
//! - nothing is left in doubt in the journal.
//!
//! The matrix is printed (`cargo test -p kioskctl --test jupiter_fault_matrix -- --nocapture`).
//! The CI subset is every crash point on the main path plus every fault once (pay first), and
//! the submit-first steps plus the faults that change its outcome; the full cross product of
//! both is `#[ignore]`d (run by `make test-long`).

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use pos_sim::{Fault, FaultKind, PaymentOutcomeMode, SimConfig, SimServer};
use serde_json::Value;
use support::{
    check_finished, index_by, killed_as_planned, kopecks, matrix_grid, outcome, resumed_journal,
    Outcome,
};

/// Two cheeseburgers with their free sauce and a cola with its size, by the Jupiter demo's uids.
const CART: &str = r#"{"order_type":"takeaway","lines":[{"dish":"3:1:0:1001","qty":2,"modifiers":[{"id":"3:99:0:5001","qty":1}]},{"dish":"3:1:0:1901","qty":1,"modifiers":[{"id":"3:99:0:5101","qty":1}]}]}"#;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Scenario {
    /// Everything answers.
    Normal,
    /// The bank declines the card.
    Declined,
    /// Jupiter creates the open order, then the connection drops before the answer.
    CommitThenDrop,
    /// JPOS answers with nginx's 502 page twice without doing anything.
    Jpos5xx,
    /// JPOS cannot be reached for a while once the customer paid (connections reset), the
    /// lookups included.
    JposDown,
    /// No workday is open in Jupiter for the first attempts (staff open it later).
    NoWorkday,
    /// An automatic discount: Jupiter's total differs from the amount charged.
    Discount,
}
use Scenario::*;

/// `[pos] strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strategy {
    PayFirst,
    SubmitFirst,
}
use Strategy::*;

const SCENARIOS: &[Scenario] = &[
    Normal,
    Declined,
    CommitThenDrop,
    Jpos5xx,
    JposDown,
    NoWorkday,
    Discount,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Posted,
    Failed,
    Staff,
}

impl Scenario {
    fn path(self, strategy: Strategy) -> End {
        match (self, strategy) {
            (Declined, PayFirst) => End::Failed,
            // Sent before the payment: the open order goes to staff to void.
            (Declined, SubmitFirst) => End::Staff,
            // Pay first learns of the discount after the charge; submit first shows it to the
            // customer, who accepts it and pays the discounted total.
            (Discount, PayFirst) => End::Staff,
            _ => End::Posted,
        }
    }

    /// Whether a checkout in this scenario passes the crash point (so the process must die).
    fn reaches(self, point: &str, strategy: Strategy) -> bool {
        let path = self.path(strategy);
        let submits = strategy == SubmitFirst;
        let sent = match strategy {
            PayFirst => path != End::Failed,
            SubmitFirst => path == End::Posted,
        };
        match point {
            "before_priced_write"
            | "after_priced_write"
            | "after_payment_started_write"
            | "while_paying"
            | "after_payment_call" => true,
            "after_submitting_write" | "after_submit_call" | "after_submitted_write" => submits,
            "after_paid_write" | "after_posting_write" | "after_post_call" => sent,
            // A resend after a lost answer is posted like a first send (Jupiter merges it).
            "after_posted_write" => path == End::Posted,
            "after_refunding_write" | "after_refund_call" => false,
            other => panic!("unknown crash point {other}"),
        }
    }

    fn expected(self, strategy: Strategy) -> &'static [&'static str] {
        match self.path(strategy) {
            End::Posted => &["posted", "tracking", "completed"],
            End::Failed => &["payment_failed"],
            End::Staff => &["needs_staff"],
        }
    }

    fn allowed_after_crash(self, point: &str, strategy: Strategy) -> &'static [&'static str] {
        match (point, strategy) {
            ("before_priced_write", _) => &[],
            // The simulated terminal shows its prompt before the sale reaches it.
            ("after_priced_write" | "after_payment_started_write" | "while_paying", PayFirst) => {
                &["payment_failed"]
            }
            // Journaled, not sent: the lookup finds nothing, nothing happened.
            ("after_priced_write" | "after_submitting_write", SubmitFirst) => &["payment_failed"],
            // The first send failed without creating the order, and the kiosk died before
            // sending it again: the lookup finds nothing.
            ("after_submit_call", SubmitFirst)
                if matches!(self, Jpos5xx | JposDown | NoWorkday) =>
            {
                &["payment_failed"]
            }
            // Open in Jupiter, not paid: staff void it; it is never charged after the restart.
            (
                "after_submit_call"
                | "after_submitted_write"
                | "after_payment_started_write"
                | "while_paying",
                SubmitFirst,
            ) => &["needs_staff"],
            _ => self.expected(strategy),
        }
    }
}

async fn rig_for(s: Scenario) -> SimServer {
    let sim = pos_sim::spawn(SimConfig {
        pos: pos_sim::PosKind::Jupiter,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let c = sim.control();
    match s {
        Normal => {}
        Declined => c.set_payment_outcome(PaymentOutcomeMode::Decline, 0),
        CommitThenDrop => {
            c.add_fault(Fault::new("add_new_order", FaultKind::CommitThenDrop).times(1))
        }
        Jpos5xx => c.add_fault(Fault::new("add_new_order", FaultKind::HttpError).times(2)),
        JposDown => {
            // After the customer paid: orders and lookups fail for a while.
            c.add_fault(Fault::new("add_new_order", FaultKind::ConnectionReset).times(3));
            c.add_fault(Fault::new("get_closed_orders", FaultKind::ConnectionReset).times(3));
        }
        NoWorkday => c.add_fault(Fault::new("add_new_order", FaultKind::CashServerDown).times(2)),
        Discount => {
            let body = r#"{"discounts":[{"name":"Киоск -10%","percent":"10","source":"Киоск"}]}"#;
            // A blocking call: the simulator is served by this runtime's other workers.
            let r = tokio::task::block_in_place(|| http(&sim, "POST", "/_sim/config", Some(body)));
            assert!(r.contains("Киоск -10%"), "{r}");
        }
    }
    sim
}

/// A plain HTTP/1.0 request to the simulator's admin routes; the body of the answer.
fn http(sim: &SimServer, method: &str, path: &str, body: Option<&str>) -> String {
    use std::io::{Read, Write};
    let addr = sim.url().trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    text.split_once("\r\n\r\n").unwrap().1.to_string()
}

fn kioskctl(
    sim: &SimServer,
    data: &Path,
    crash_at: Option<&str>,
    strategy: Strategy,
    args: &[&str],
) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kioskctl"));
    if strategy == SubmitFirst {
        cmd.args(["--strategy", "submit-first"]);
    }
    cmd.args(["--pos", "jupiter", "--url"])
        .arg(format!("{}/jpos/index.php", sim.url()))
        .args([
            "--token-env",
            "FM_JUPITER_SERVER",
            "--user-env",
            "FM_JUPITER_USER",
        ])
        .args(["--tender", "paymentCard"])
        .arg("--data-dir")
        .arg(data)
        .args(["--retry-ms", "50", "--payment-timeout-s", "1", "--json"])
        .env("FM_JUPITER_SERVER", pos_sim::jupiter::SERVER_ID)
        .env("FM_JUPITER_USER", pos_sim::jupiter::KIOSK_PASSWORD)
        .env_remove("KIOSK_CRASH_AT")
        .args(args)
        .args(["--pay", "simulator"]);
    if let Some(p) = crash_at {
        cmd.env("KIOSK_CRASH_AT", p);
    }
    cmd.output().expect("kioskctl runs")
}

fn audit(sim: &SimServer, journal: &Value) -> Result<(), String> {
    let mut broken = Vec::new();
    let checkouts = journal["checkouts"].as_array().unwrap();
    let by_attempt = index_by(checkouts, "attempt_id");
    let orders: Value = serde_json::from_str(&http(sim, "GET", "/_sim/orders", None)).unwrap();
    let orders = orders["orders"].as_array().unwrap().clone();
    let prints: Value = serde_json::from_str(&http(sim, "GET", "/_sim/prints", None)).unwrap();
    let prints = prints["prints"].as_array().unwrap().clone();
    let orders_of = |ext: &str| {
        orders
            .iter()
            .filter(|o| o["uid"] == ext)
            .collect::<Vec<_>>()
    };

    let by_ext = index_by(checkouts, "external_id");
    // Submit first: an order sent open and never paid. Its checkout tells staff to void it, and
    // Jupiter holds it open, unpaid, printed once.
    let unpaid_for_staff = |ext: &str, o: &Value| -> Result<(), String> {
        let c = by_ext
            .get(ext)
            .ok_or_else(|| format!("order {ext} has no charge and no checkout"))?;
        let reason = c["notice"]["reason"].as_str().unwrap_or("");
        if c["state"] != "needs_staff" || !reason.starts_with("NOT PAID") {
            return Err(format!(
                "order {ext} has no charge; its checkout is {} ({reason:?})",
                c["state"]
            ));
        }
        if o["closed"] != false || kopecks(o["paid"].as_str().unwrap()) != 0 {
            return Err(format!("unpaid order {ext} is closed or paid: {o}"));
        }
        let tickets = prints
            .iter()
            .filter(|t| t["kind"] == "kitchen" && t["order_uid"] == ext)
            .count();
        if tickets != 1 {
            return Err(format!(
                "unpaid order {ext} printed {tickets} kitchen tickets"
            ));
        }
        Ok(())
    };

    let mut paid_exts = Vec::new();
    for p in sim.control().payments() {
        let charged = if p.status == "approved" && !p.reversed && p.refunds.is_empty() {
            kopecks(&p.amount)
        } else {
            0
        };
        let checkout = by_attempt.get(p.attempt_id.as_str()).copied();
        let ext = checkout
            .and_then(|c| c["external_id"].as_str())
            .unwrap_or("?")
            .to_string();
        let matching = orders_of(&ext);
        if charged == 0 {
            // Only an order submitted first, then handed to staff unpaid.
            for o in &matching {
                if let Err(e) = unpaid_for_staff(&ext, o) {
                    broken.push(format!(
                        "payment {} charged nothing but has an order: {e}",
                        p.attempt_id
                    ));
                }
            }
            continue;
        }
        paid_exts.push(ext.clone());
        let Some(c) = checkout else {
            broken.push(format!(
                "payment {} is charged but no checkout knows it",
                p.attempt_id
            ));
            continue;
        };
        if matching.len() != 1 {
            broken.push(format!(
                "payment {} has {} orders",
                p.attempt_id,
                matching.len()
            ));
            continue;
        }
        let o = matching[0];
        if c["state"] == "needs_staff" {
            // Left open for staff, never closed with another amount.
            if o["closed"] != false || kopecks(o["paid"].as_str().unwrap()) != 0 {
                broken.push(format!("order {ext} with staff is closed or paid: {o}"));
            }
        } else if o["closed"] != true || kopecks(o["paid"].as_str().unwrap()) != charged {
            broken.push(format!(
                "order {ext}: closed {} paid {}, {charged} kopecks charged",
                o["closed"], o["paid"]
            ));
        }
        let tickets = prints
            .iter()
            .filter(|t| t["kind"] == "kitchen" && t["order_uid"] == ext.as_str())
            .count();
        if tickets != 1 {
            broken.push(format!("order {ext} printed {tickets} kitchen tickets"));
        }
    }
    for o in &orders {
        let uid = o["uid"].as_str().unwrap_or("");
        if !paid_exts.iter().any(|e| e == uid) {
            if let Err(e) = unpaid_for_staff(uid, o) {
                broken.push(e);
            }
        }
    }
    check_finished(
        checkouts,
        &[
            "priced",
            "submitting",
            "submitted",
            "payment_started",
            "paid",
            "posting",
            "refunding",
        ],
        &mut broken,
    );
    if broken.is_empty() {
        Ok(())
    } else {
        Err(broken.join("; "))
    }
}

async fn run_case(
    point: Option<&'static str>,
    scenario: Scenario,
    strategy: Strategy,
) -> Result<Outcome, String> {
    let dir = tempfile::tempdir().unwrap();
    let sim = rig_for(scenario).await;
    let cart = dir.path().join("cart.json");
    std::fs::write(&cart, CART).unwrap();
    let data = dir.path().join("data");

    let mut order = vec!["order", "--cart", cart.to_str().unwrap()];
    if strategy == SubmitFirst {
        // The customer accepts Jupiter's total when it differs (an automatic discount).
        order.push("--accept-new-total");
    }
    let first = tokio::task::block_in_place(|| kioskctl(&sim, &data, point, strategy, &order));
    let must_die = point.is_some_and(|p| scenario.reaches(p, strategy));
    let killed = killed_as_planned(&first, must_die)?;
    let resumed = tokio::task::block_in_place(|| {
        kioskctl(
            &sim,
            &data,
            None,
            strategy,
            &["resume", "--timeout-s", "60"],
        )
    });
    let journal = resumed_journal(&resumed)?;
    tokio::task::block_in_place(|| audit(&sim, &journal))?;
    let allowed = match point {
        Some(p) if scenario.reaches(p, strategy) => scenario.allowed_after_crash(p, strategy),
        _ => scenario.expected(strategy),
    };
    outcome(killed, &journal, allowed)
}

type Results = support::Results<Scenario>;

fn print_matrix(title: &str, results: &Results) {
    let scenarios: Vec<Scenario> = SCENARIOS
        .iter()
        .copied()
        .filter(|s| results.keys().any(|(_, k)| k == s))
        .collect();
    let mut out = matrix_grid(title, &scenarios, results, 22);
    let mut staff: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for ((p, s), r) in results {
        if let Ok(Outcome {
            staff: Some(why), ..
        }) = r
        {
            staff
                .entry(why.clone())
                .or_default()
                .push(format!("{s:?}@{p}"));
        }
    }
    for (why, cases) in staff {
        out.push_str(&format!("needs staff ({}): {why}\n", cases.join(" ")));
    }
    println!("{out}");
}

/// How many cases run at once: each is two short-lived `kioskctl` processes against its own
/// simulator, mostly waiting, so a few side by side keep the CI subset fast on two cores.
const PARALLEL: usize = 3;

async fn run_matrix(title: &str, strategy: Strategy, cases: &[(Scenario, Vec<&'static str>)]) {
    let mut jobs = Vec::new();
    for (scenario, points) in cases {
        for point in points {
            jobs.push((*point, *scenario));
        }
    }
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(PARALLEL));
    let mut running = tokio::task::JoinSet::new();
    for (point, scenario) in jobs {
        let gate = gate.clone();
        running.spawn(async move {
            let _turn = gate.acquire_owned().await.unwrap();
            let p = (point != "(none)").then_some(point);
            (point, scenario, run_case(p, scenario, strategy).await)
        });
    }
    let mut results = Results::new();
    let mut failures = Vec::new();
    while let Some(done) = running.join_next().await {
        let (point, scenario, r) = done.expect("a case panicked");
        if let Err(e) = &r {
            failures.push(format!("{scenario:?} killed at {point}: {e}"));
        }
        results.insert((point.to_string(), scenario), r);
    }
    failures.sort();
    print_matrix(title, &results);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every crash point a checkout on Jupiter meets with this strategy (and none): a refund never
/// happens here.
fn main_points(strategy: Strategy) -> Vec<&'static str> {
    let mut v = vec!["(none)"];
    v.extend(kiosk_engine::crashpoint::POINTS.iter().filter(|p| {
        !p.contains("refund")
            && (strategy == SubmitFirst
                || !kiosk_engine::crashpoint::SUBMIT_FIRST_POINTS.contains(p))
    }));
    v
}

/// The CI subset, pay first: every crash point on the main path, every fault once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jupiter_crash_points_and_faults() {
    let mut cases = vec![(Normal, main_points(PayFirst))];
    for s in SCENARIOS.iter().filter(|s| **s != Normal) {
        cases.push((*s, vec!["(none)"]));
    }
    // The lost answer, crashed while the kiosk reconciles it.
    cases.push((
        CommitThenDrop,
        vec!["after_post_call", "after_posted_write"],
    ));
    cases.push((Discount, vec!["after_post_call"]));
    run_matrix("Jupiter, pay first (CI subset)", PayFirst, &cases).await;
}

/// The CI subset, submit first: every step before the charge and the close after it, every
/// fault once, and crashes where submitting first differs (a lost answer to the open send, a
/// discount waiting for the customer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jupiter_submit_first_crash_points_and_faults() {
    let mut cases = vec![(
        Normal,
        vec![
            "(none)",
            "after_priced_write",
            "after_submitting_write",
            "after_submit_call",
            "after_submitted_write",
            "while_paying",
            "after_payment_call",
            "after_post_call",
        ],
    )];
    for s in SCENARIOS.iter().filter(|s| **s != Normal) {
        cases.push((*s, vec!["(none)"]));
    }
    cases.push((CommitThenDrop, vec!["after_submit_call"]));
    cases.push((
        Discount,
        vec!["after_submitted_write", "after_payment_call"],
    ));
    cases.push((Declined, vec!["after_payment_call"]));
    run_matrix("Jupiter, submit first (CI subset)", SubmitFirst, &cases).await;
}

/// Every crash point under every fault, both strategies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: make test-long"]
async fn full_jupiter() {
    for strategy in [PayFirst, SubmitFirst] {
        let cases: Vec<_> = SCENARIOS
            .iter()
            .map(|s| (*s, main_points(strategy)))
            .collect();
        run_matrix(&format!("Jupiter, {strategy:?} (full)"), strategy, &cases).await;
    }
}
