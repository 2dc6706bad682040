//! `kioskctl`: the kiosk's engine without a window.
//!
//! Installers use it to check a POS connection from a terminal; tests use it as a black box.
//! It drives exactly the engine the kiosk window uses. With `--json` every command prints one
//! JSON document on stdout; failures print a message on stderr and exit non-zero.

mod doctor;
mod payment_test;
mod staff;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use kiosk_core::cart::Cart;
use kiosk_core::checkout::CheckoutState;
use kiosk_core::view::CheckoutResult;
use kiosk_engine::config::{
    KioskConfig, KioskSection, MenuSection, OrderTypes, PaymentSection, PosKind, PosSection,
};
use kiosk_engine::engine::{Engine, Timings};
use kiosk_engine::secrets::{KeyringSecrets, MemorySecrets, SecretStore};
use serde_json::json;

#[derive(Parser, Debug)]
#[command(
    name = "kioskctl",
    version,
    about = "The kiosk's engine from the command line"
)]
struct Cli {
    /// Which POS to talk to.
    #[arg(long, value_enum)]
    pos: PosArg,
    /// The POS's address, e.g. http://10.0.0.5:11111.
    #[arg(long)]
    url: String,
    /// Read the POS token (ProCart) or server id (Jupiter) from this environment variable;
    /// otherwise it is read from the OS keyring.
    #[arg(long, value_name = "VAR")]
    token_env: Option<String>,
    /// Jupiter: read the kiosk user's password from this environment variable instead of the
    /// OS keyring.
    #[arg(long, value_name = "VAR")]
    user_env: Option<String>,
    /// Where the journal and caches live (default: a kioskctl folder in the user's data dir).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// POS order category per order type, e.g. `--category eat_in=1 --category takeaway=2`.
    #[arg(long, value_name = "TYPE=CODE")]
    category: Vec<String>,
    /// The POS tender recorded with card payments (r_keeper currency code, Jupiter pay type).
    #[arg(long, default_value = "1")]
    tender: String,
    /// How long the customer may take at the card terminal, in seconds.
    #[arg(long)]
    payment_timeout_s: Option<u64>,
    /// sbpilot: the `sb_pilot` program of the card terminal.
    #[arg(long, value_name = "PATH")]
    sbpilot_binary: Option<PathBuf>,
    /// Read the payment keyring entry ENTRY from the environment variable VAR instead, e.g.
    /// `tbank-password=TBANK_PASSWORD` (repeatable).
    #[arg(long, value_name = "ENTRY=VAR")]
    pay_secret_env: Vec<String>,
    /// Wait this many milliseconds between retries instead of the production back-off
    /// (1 s, 2 s, 5 s … 60 s); for scripted checks.
    #[arg(long, value_name = "MS")]
    retry_ms: Option<u64>,
    /// Jupiter: charge first and then send the order (`pay-first`, the default), or send the
    /// order open first and charge Jupiter's total (`submit-first`); `[pos] strategy`.
    #[arg(long, value_enum, default_value = "pay-first")]
    strategy: StrategyArg,
    /// Print one JSON document on stdout.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum PosArg {
    Procart,
    Jupiter,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq)]
enum StrategyArg {
    PayFirst,
    SubmitFirst,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq)]
enum PayArg {
    Simulator,
    Counter,
    /// Sberbank card terminal through `sb_pilot` (`--sbpilot-binary`).
    Sbpilot,
    /// T-Bank SBP QR (`--pay-url`, keys by `--pay-secret-env` or the keyring).
    Tbank,
    /// YooKassa SBP QR (`--pay-url`, keys by `--pay-secret-env` or the keyring).
    Yookassa,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Reachability, versions, licence and token of the POS.
    Ping,
    /// Fetch the menu and report its size and faults.
    Menu,
    /// Price a cart through the POS.
    Price {
        #[arg(long)]
        cart: PathBuf,
    },
    /// Pay for a cart and create the order in the POS.
    Order {
        #[arg(long)]
        cart: PathBuf,
        #[arg(long, value_enum)]
        pay: PayArg,
        /// The payment simulator's address (default: the POS simulator's server, from --url).
        #[arg(long)]
        pay_url: Option<String>,
        /// When the POS totals the order differently (submit first: an automatic discount),
        /// accept its total and pay that, as a customer would on the screen; without it the
        /// command stops and charges nothing.
        #[arg(long)]
        accept_new_total: bool,
    },
    /// The POS's recent orders for this kiosk.
    Orders,
    /// Finish every checkout a crash or a lost connection interrupted: ask the payment provider
    /// about payments in doubt, look orders up in the POS before sending them again, finish
    /// refunds. Waits until none is left in doubt (or the timeout) and prints the journal.
    Resume {
        #[arg(long, default_value_t = 120)]
        timeout_s: u64,
        /// The payment provider checkouts were paid with (pay-at-counter ones are always
        /// finished).
        #[arg(long, value_enum, default_value = "simulator")]
        pay: PayArg,
        /// The payment simulator's address (default: the POS simulator's server, from --url).
        #[arg(long)]
        pay_url: Option<String>,
    },
    /// ProCart: close an order (e.g. one paid at the counter), optionally recording a payment.
    Close {
        /// The POS order id (the r_keeper order GUID).
        #[arg(long)]
        order: String,
        /// Record a payment of this amount with the `--tender` currency.
        #[arg(long)]
        amount: Option<String>,
        #[arg(long)]
        transaction_id: Option<String>,
    },
    /// ProCart: the order's long comment, as r_keeper print layouts read it.
    PrintInfo {
        #[arg(long)]
        order: String,
    },
    /// Staff mode: log in, list orders (problems first), act on them (`staff --help`).
    Staff(staff::StaffArgs),
    /// The checkouts in the journal, newest first (no POS needed).
    Journal {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

/// States in which a checkout still waits for the engine (not for the kitchen or for staff).
fn in_doubt(state: CheckoutState) -> bool {
    matches!(
        state,
        CheckoutState::Priced
            | CheckoutState::Submitting
            | CheckoutState::Submitted
            | CheckoutState::PaymentStarted
            | CheckoutState::Paid
            | CheckoutState::Posting
            | CheckoutState::Refunding
    )
}

fn journal_json(records: &[kiosk_engine::journal::CheckoutRecord]) -> serde_json::Value {
    json!(records
        .iter()
        .map(|r| json!({
            "checkout_id": r.id,
            "number": r.number,
            "state": r.state,
            "external_id": r.external_id,
            "attempt_id": r.attempt_id,
            "total": r.total,
            "pos_order_id": r.pos_order_id,
            "pos_status": r.pos_status,
            "pay_at_counter": r.pay_at_counter,
            "paid": r.receipt.is_some(),
            "provider": r.provider,
            "transaction_id": r.receipt.as_ref().map(|p| p.transaction_id.clone()),
            "notice": r.notice,
            "post_attempts": r.post_attempts,
        }))
        .collect::<Vec<_>>())
}

fn journal_text(records: &[kiosk_engine::journal::CheckoutRecord]) -> String {
    let mut text = String::new();
    for r in records {
        text.push_str(&format!(
            "{} {:>4} {:<15} {:>10} {} {}\n",
            r.created_at,
            r.number,
            r.state.as_str(),
            r.total.to_string(),
            r.pos_order_id.as_deref().unwrap_or("-"),
            r.notice
                .as_ref()
                .map(|n| format!("{n:?}"))
                .unwrap_or_default()
        ));
    }
    text.push_str(&format!("{} checkouts", records.len()));
    text
}

fn config(cli: &Cli, pay: PayArg, pay_url: Option<String>) -> Result<KioskConfig> {
    let data_dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(|| kiosk_engine::engine::default_data_dir().join("kioskctl"));
    let mut categories = std::collections::BTreeMap::new();
    for c in &cli.category {
        let (k, v) = c
            .split_once('=')
            .ok_or_else(|| anyhow!("--category wants TYPE=CODE, e.g. eat_in=1; got {c:?}"))?;
        categories.insert(k.to_string(), v.to_string());
    }
    let cfg = KioskConfig {
        kiosk: KioskSection {
            id: "kioskctl".into(),
            languages: vec!["ru".into(), "en".into()],
            idle_timeout_s: 90,
            idle_countdown_s: 20,
            confirmation_timeout_s: 30,
            restaurant_name: None,
            data_dir: Some(data_dir),
            mode: Default::default(),
        },
        pos: PosSection {
            kind: match cli.pos {
                PosArg::Procart => PosKind::Procart,
                PosArg::Jupiter => PosKind::Jupiter,
            },
            url: cli.url.clone(),
            secret: "pos-token".into(),
            table: None,
            user_secret: "pos-user".into(),
            strategy: match cli.strategy {
                StrategyArg::PayFirst => kiosk_engine::config::JupiterStrategy::PayFirst,
                StrategyArg::SubmitFirst => kiosk_engine::config::JupiterStrategy::SubmitFirst,
            },
        },
        payment: payment_section(cli, pay, pay_url)?,
        order_types: OrderTypes {
            categories,
            ..OrderTypes::default()
        },
        menu: MenuSection::default(),
        callbacks: None,
        printer: None,
    };
    cfg.validate().map_err(|e| anyhow!(e))?;
    Ok(cfg)
}

/// The `[payment]` settings for `--pay`: the provider's section with its address, the QR wait
/// (`--payment-timeout-s`) and the status polling (`--retry-ms`).
fn payment_section(cli: &Cli, pay: PayArg, pay_url: Option<String>) -> Result<PaymentSection> {
    let url = pay_url.unwrap_or_else(|| server_root(&cli.url));
    let mut section = PaymentSection {
        provider: String::new(),
        url: Some(url.clone()),
        tender: cli.tender.clone(),
        tender_name: None,
        timeout_s: cli.payment_timeout_s,
        sbpilot: None,
        tbank: None,
        yookassa: None,
    };
    section.provider = match pay {
        PayArg::Simulator => "simulator",
        PayArg::Counter => "counter",
        PayArg::Sbpilot => {
            let binary = cli
                .sbpilot_binary
                .clone()
                .ok_or_else(|| anyhow!("--pay sbpilot needs --sbpilot-binary PATH"))?;
            section.url = None;
            section.sbpilot = Some(payments::sbpilot::SbPilotConfig::new(binary, ""));
            "sbpilot"
        }
        PayArg::Tbank => {
            section.tbank = Some(payments::tbank::TbankConfig {
                wait_s: cli.payment_timeout_s,
                poll_ms: cli.retry_ms,
                ..payments::tbank::TbankConfig::new(&url)
            });
            "tbank"
        }
        PayArg::Yookassa => {
            let mut y = payments::yookassa::YookassaConfig::new(&url, "");
            if let Some(t) = cli.payment_timeout_s {
                y.wait_s = t;
            }
            y.poll_ms = cli.retry_ms;
            section.yookassa = Some(y);
            "yookassa"
        }
    }
    .to_string();
    Ok(section)
}

/// `http://host:port` of a URL: where the simulators serve their card terminal.
fn server_root(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let host = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{host}")
}

/// Secrets from the environment when asked (`--token-env`, `--user-env`), else the OS keyring.
fn secrets(cli: &Cli) -> Result<Box<dyn SecretStore>> {
    if cli.token_env.is_none() && cli.user_env.is_none() && cli.pay_secret_env.is_empty() {
        return Ok(Box::new(KeyringSecrets::new()));
    }
    let store = MemorySecrets::default();
    for (var, name) in [(&cli.token_env, "pos-token"), (&cli.user_env, "pos-user")] {
        if let Some(var) = var {
            let v = std::env::var(var)
                .with_context(|| format!("the environment variable {var} is not set"))?;
            store.set(name, &v)?;
        }
    }
    for pair in &cli.pay_secret_env {
        let (name, var) = pair
            .split_once('=')
            .ok_or_else(|| anyhow!("--pay-secret-env wants ENTRY=VAR, got {pair:?}"))?;
        let v = std::env::var(var)
            .with_context(|| format!("the environment variable {var} is not set"))?;
        store.set(name, &v)?;
    }
    Ok(Box::new(store))
}

fn timings(cli: &Cli) -> Timings {
    let mut t = Timings {
        track_every: Duration::from_secs(1),
        ..Timings::default()
    };
    if let Some(ms) = cli.retry_ms {
        t.backoff = vec![Duration::from_millis(ms)];
        t.payment_resolve_for = Duration::from_millis(ms * 50).max(Duration::from_secs(2));
    }
    t
}

fn read_cart(path: &PathBuf) -> Result<Cart> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the cart file {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("the cart file {} is not a valid cart", path.display()))
}

fn print(json_mode: bool, doc: serde_json::Value, text: String) {
    if json_mode {
        println!("{doc}");
    } else {
        println!("{text}");
    }
}

async fn run(cli: Cli) -> Result<()> {
    if let Command::Journal { limit } = &cli.command {
        let dir = cli
            .data_dir
            .clone()
            .unwrap_or_else(|| kiosk_engine::engine::default_data_dir().join("kioskctl"));
        let journal = kiosk_engine::journal::Journal::open(&dir.join("journal.db"))?;
        let records = journal.recent(*limit)?;
        print(
            cli.json,
            json!({ "checkouts": journal_json(&records) }),
            journal_text(&records),
        );
        return Ok(());
    }
    if let Command::Close { .. } | Command::PrintInfo { .. } = &cli.command {
        return procart_only(&cli).await;
    }
    if let Command::Staff(a) = &cli.command {
        return staff::run(&cli, a).await;
    }
    let (pay, pay_url) = match &cli.command {
        Command::Order { pay, pay_url, .. } | Command::Resume { pay, pay_url, .. } => {
            (*pay, pay_url.clone())
        }
        _ => (PayArg::Counter, None),
    };
    let cfg = config(&cli, pay, pay_url)?;
    let engine = Engine::from_config(cfg, secrets(&cli)?.as_ref(), timings(&cli))?;
    match &cli.command {
        Command::Ping => {
            let p = engine.ping().await.map_err(|e| anyhow!(e.message))?;
            let yn = |b: Option<bool>| match b {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "n/a",
            };
            let text = format!(
                "POS: {}\nreachable: yes ({} ms)\ngateway version: {}\nPOS version: {}\ncash server reachable: {}\nlicence valid: {}{}\ntoken valid: {}",
                p.pos,
                p.latency_ms,
                p.gateway_version.as_deref().unwrap_or("-"),
                p.backend_version.as_deref().unwrap_or("-"),
                yn(p.cash_server_available),
                yn(p.licence_valid),
                p.licence_expires.as_deref().map(|e| format!(" (until {e})")).unwrap_or_default(),
                yn(p.token_valid),
            );
            let healthy = p.cash_server_available != Some(false)
                && p.licence_valid != Some(false)
                && p.token_valid != Some(false);
            print(cli.json, serde_json::to_value(&p)?, text);
            if !healthy {
                bail!("the POS answered but is not ready to take orders (see above)");
            }
        }
        Command::Menu => {
            let m = engine.menu.refresh().await?;
            let c = &m.catalog;
            let doc = json!({
                "version": c.version,
                "dishes": c.dishes.len(),
                "sections": c.sections.len(),
                "modifier_groups": c.modifier_groups.len(),
                "combos": c.combos.len(),
                "out_of_stock": c.dishes.iter().filter(|d| !d.availability.can_sell(1)).count(),
                "faults": c.faults,
            });
            let mut text = format!(
                "menu {}: {} sections, {} dishes, {} modifier groups, {} combos, {} faults",
                c.version,
                c.sections.len(),
                c.dishes.len(),
                c.modifier_groups.len(),
                c.combos.len(),
                c.faults.len()
            );
            for f in &c.faults {
                text.push_str(&format!(
                    "\n  fault {:?} {}: {}",
                    f.kind, f.subject, f.message
                ));
            }
            print(cli.json, doc, text);
        }
        Command::Price { cart } => {
            let cart = read_cart(cart)?;
            let p = engine
                .price(1, cart)
                .await
                .map_err(|e| anyhow!(e.message))?;
            let q = &p.quote;
            let mut text = String::new();
            for l in &q.lines {
                text.push_str(&format!(
                    "{:>3} x {:<40} {:>10}\n",
                    l.qty,
                    l.name,
                    l.total.to_string()
                ));
            }
            for a in &q.adjustments {
                text.push_str(&format!(
                    "      {:<40} {:>10}\n",
                    a.name,
                    a.amount.to_string()
                ));
            }
            text.push_str(&format!("total {:>50}", q.total.to_string()));
            let doc = json!({
                "total": q.total,
                "subtotal": q.subtotal,
                "source": q.source,
                "lines": q.lines,
                "adjustments": q.adjustments,
                "changes": p.changes,
            });
            print(cli.json, doc, text);
        }
        Command::Order {
            cart,
            accept_new_total,
            ..
        } => {
            let cart = read_cart(cart)?;
            let priced = engine
                .price(1, cart.clone())
                .await
                .map_err(|e| anyhow!(e.message))?;
            let total = priced.quote.total;
            let mut result = engine
                .checkout(cart.clone(), total, Arc::new(|_| {}))
                .await
                .map_err(|e| anyhow!(e.message))?;
            if let (CheckoutResult::PriceChanged { quote }, true) = (&result, *accept_new_total) {
                // The customer reads the new total and taps "Pay" again.
                let total = quote.quote.total;
                eprintln!("the POS totals the order at {total}; paying that");
                result = engine
                    .checkout(cart, total, Arc::new(|_| {}))
                    .await
                    .map_err(|e| anyhow!(e.message))?;
            }
            let order = match result {
                CheckoutResult::Placed { order } => order,
                CheckoutResult::PaymentDeclined { reason } => {
                    bail!("the payment was declined: {reason}")
                }
                CheckoutResult::PaymentCancelled => bail!("the payment was cancelled"),
                CheckoutResult::PriceChanged { quote } => {
                    bail!(
                        "the POS totals the order at {}; nothing was charged (--accept-new-total \
                         pays it; with submit-first the order is already open in the POS and \
                         `resume` hands it to staff)",
                        quote.quote.total
                    )
                }
            };
            // An order still being sent finishes here, so the command reports the POS's answer.
            engine.start_background();
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut view = order;
            while matches!(
                view.state,
                CheckoutState::Paid | CheckoutState::Posting | CheckoutState::Refunding
            ) && Instant::now() < deadline
            {
                tokio::time::sleep(Duration::from_millis(200)).await;
                view = engine
                    .order_view(&view.checkout_id)
                    .map_err(|e| anyhow!(e.message))?;
            }
            let doc = json!({
                "pos_order_id": view.pos_order_id,
                "number": view.number,
                "total": view.total,
                "status": view.pos_status.as_ref().map(|s| s.as_str().to_string()),
                "state": view.state,
                "checkout_id": view.checkout_id,
                "pay_at_counter": view.pay_at_counter,
                "notice": view.notice,
            });
            let text = format!(
                "order {} ({}): {} {}, POS order {}",
                view.number,
                view.state.as_str(),
                view.total,
                view.pos_status.as_ref().map(|s| s.as_str()).unwrap_or("-"),
                view.pos_order_id.as_deref().unwrap_or("-"),
            );
            print(cli.json, doc, text);
            if view.state != CheckoutState::Posted
                && view.state != CheckoutState::Tracking
                && view.state != CheckoutState::Completed
            {
                bail!("the order is {} ({:?})", view.state.as_str(), view.notice);
            }
        }
        Command::Resume { timeout_s, .. } => {
            let checkouts = engine
                .checkouts
                .clone()
                .map_err(|why| anyhow!("the journal cannot be used: {why}"))?;
            engine.start_background();
            let deadline = Instant::now() + Duration::from_secs(*timeout_s);
            // Late payments of checkouts that gave up are refunded (or raised to staff) too.
            let mut settled = std::collections::HashSet::new();
            let records = loop {
                let open = checkouts.journal.unfinished()?;
                if !open.iter().any(|r| in_doubt(r.state)) {
                    let late = checkouts.sweep_late_payments(&mut settled).await?;
                    // The engine's own sweep may be refunding one meanwhile: look again.
                    let open = checkouts.journal.unfinished()?;
                    if late.refunded + late.raised == 0 && !open.iter().any(|r| in_doubt(r.state)) {
                        break checkouts.journal.recent(1000)?;
                    }
                    continue;
                }
                if Instant::now() >= deadline {
                    break checkouts.journal.recent(1000)?;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            };
            let unresolved = records.iter().filter(|r| in_doubt(r.state)).count();
            print(
                cli.json,
                json!({ "checkouts": journal_json(&records), "unresolved": unresolved }),
                journal_text(&records),
            );
            if unresolved > 0 {
                bail!("{unresolved} checkouts are still in doubt after {timeout_s} s");
            }
        }
        Command::Journal { .. }
        | Command::Close { .. }
        | Command::PrintInfo { .. }
        | Command::Staff(_) => {
            unreachable!("handled before the engine starts")
        }
        Command::Orders => {
            let orders = engine
                .pos
                .orders(&[])
                .await
                .map_err(|e| anyhow!(e.to_string()))?;
            let mut text = String::new();
            for o in &orders {
                text.push_str(&format!(
                    "{:<40} {:>6} {:<10} {:>10}\n",
                    o.pos_order_id,
                    o.number.as_deref().unwrap_or("-"),
                    o.status.as_str(),
                    o.total.to_string()
                ));
            }
            text.push_str(&format!("{} orders", orders.len()));
            print(cli.json, json!({ "orders": orders }), text);
        }
    }
    Ok(())
}

/// The ProCart methods that have no place in the customer's checkout.
async fn procart_only(cli: &Cli) -> Result<()> {
    if !matches!(cli.pos, PosArg::Procart) {
        bail!("close and print-info are ProCart methods; Jupiter closes orders with add_new_order");
    }
    let token = secrets(cli)?.get("pos-token")?;
    let config = pos_procart::ProcartConfig::new(kiosk_engine::pos::procart_base(&cli.url), token);
    let client = pos_procart::ProcartClient::new(config).map_err(|e| anyhow!(e.to_string()))?;
    match &cli.command {
        Command::Close {
            order,
            amount,
            transaction_id,
        } => {
            let payments = match amount {
                Some(a) => vec![pos_procart::wire::PaymentRequest {
                    currency_code: pos_procart::wire::Code::new(cli.tender.clone()),
                    amount: kiosk_core::Money::parse(a).map_err(|e| anyhow!("--amount: {e}"))?,
                    transaction_id: transaction_id.clone(),
                    auth_code: None,
                    card_mask: None,
                    paid_at: None,
                }],
                None => vec![],
            };
            let req = pos_procart::wire::CloseRequest {
                guid: order.clone(),
                payments,
            };
            let answer = client
                .close(&req)
                .await
                .map_err(|e| anyhow!(e.to_string()))?;
            let o =
                pos_procart::mapping::order(&answer.data).map_err(|e| anyhow!(e.to_string()))?;
            let text = format!(
                "order {} is {} (total {}, paid {})",
                o.pos_order_id,
                o.status.as_str(),
                o.total,
                o.paid
            );
            print(cli.json, serde_json::to_value(&o)?, text);
        }
        Command::PrintInfo { order } => {
            let info = client
                .print_info(order)
                .await
                .map_err(|e| anyhow!(e.to_string()))?;
            print(
                cli.json,
                json!({ "order": order, "comment": info.comment }),
                info.comment.clone(),
            );
        }
        _ => unreachable!(),
    }
    Ok(())
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    // `payment-test` needs no POS, so it parses its own flags (payment_test.rs).
    if std::env::args().nth(1).as_deref() == Some("payment-test") {
        std::process::exit(payment_test::main(std::env::args_os().skip(1)));
    }
    // `doctor` and `secret` read the settings file instead of --pos/--url (doctor.rs).
    if let Some(code) = doctor::dispatch() {
        std::process::exit(code);
    }
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kioskctl: cannot start: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = rt.block_on(run(cli)) {
        eprintln!("kioskctl: {e:#}");
        std::process::exit(1);
    }
}
