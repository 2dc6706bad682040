//! `kioskctl staff …`: every staff-tablet action from the command line, through the same
//! `StaffDesk` the tablet uses (same journal, same rules, same history).
//!
//! Each run logs in (the PIN, password or card track comes from an environment variable, never
//! from the command line where `ps` would show it), does one thing and exits; the session ends
//! with the process. Jupiter edits (`add-dishes`, `print-bill`, `add-client`) lock the order
//! first and unlock it after, unless `--keep-lock`; `lock` alone keeps the lock until
//! `staff unlock` (Jupiter keeps it per user, so a later run as the same member releases it).

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand};
use kiosk_core::view::{
    StaffClosePayment, StaffCredential, StaffLoginVerdict, StaffOrderDetail, StaffOrderRef,
    StaffOrderRow, StaffOutcome,
};
use kiosk_core::Money;
use kiosk_engine::engine::Engine;
use kiosk_engine::staff::{outcome_summary, StaffDesk, StaffSettings};
use serde_json::json;

use crate::{Cli, PayArg};

#[derive(Args, Debug)]
pub struct StaffArgs {
    /// r_keeper: log in with the PIN in this environment variable.
    #[arg(long, value_name = "VAR")]
    pin_env: Option<String>,
    /// r_keeper: the member whose PIN it is (otherwise every member's PIN is tried).
    #[arg(long, value_name = "ID")]
    staff_id: Option<String>,
    /// Jupiter: log in with the password in this environment variable.
    #[arg(long, value_name = "VAR")]
    password_env: Option<String>,
    /// Jupiter: log in with the magnetic card track in this environment variable.
    #[arg(long, value_name = "VAR")]
    card_env: Option<String>,
    /// The staff settings (default: staff.toml in the data folder).
    #[arg(long, value_name = "FILE")]
    staff_file: Option<PathBuf>,
    /// The card payment provider the kiosk's checkouts were paid with (for refunds).
    #[arg(long, value_enum, default_value = "simulator")]
    pay: PayArg,
    /// The payment simulator's address (default: the POS simulator's server, from --url).
    #[arg(long)]
    pay_url: Option<String>,
    #[command(subcommand)]
    command: StaffCommand,
}

/// Which order: one of the kiosk's checkouts, or a POS order id.
#[derive(Args, Debug, Clone)]
#[group(required = true, multiple = false)]
struct Which {
    #[arg(long, value_name = "CHECKOUT_ID")]
    checkout: Option<String>,
    #[arg(long, value_name = "POS_ORDER_ID")]
    order: Option<String>,
}

impl Which {
    fn reference(&self) -> StaffOrderRef {
        match (&self.checkout, &self.order) {
            (Some(c), _) => StaffOrderRef::Checkout {
                checkout_id: c.clone(),
            },
            (None, Some(o)) => StaffOrderRef::Pos {
                pos_order_id: o.clone(),
            },
            (None, None) => unreachable!("clap requires one"),
        }
    }
}

#[derive(Subcommand, Debug)]
enum StaffCommand {
    /// Add a member to the staff settings, or rename one; with --new-pin-env, set their PIN
    /// (stored as an argon2id hash). Jupiter members are named by the id `whoami` shows.
    AddMember {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_name = "VAR")]
        new_pin_env: Option<String>,
    },
    /// What the login screen shows (no login).
    Info,
    /// Log in and show the session: who, and what this POS lets staff do.
    Whoami,
    /// The kiosk's and the POS's orders, problems first.
    Orders,
    /// One order with its lines and history (who did what, when).
    Order {
        #[command(flatten)]
        which: Which,
    },
    /// Look a checkout's order up in the POS and send it only where that cannot double it.
    RetrySend {
        #[arg(long)]
        checkout: String,
    },
    /// Take a checkout off the problem list, saying how it was settled.
    MarkHandled {
        #[arg(long)]
        checkout: String,
        #[arg(long)]
        reason: String,
    },
    /// Refund a checkout waiting for staff through the provider that took the money.
    Refund {
        #[arg(long)]
        checkout: String,
    },
    /// Print the order's number (needs a printer; says so when there is none).
    PrintNumber {
        #[command(flatten)]
        which: Which,
    },
    /// Jupiter: lock an order for editing (kept until `staff unlock`).
    Lock {
        #[arg(long)]
        order: String,
    },
    /// Jupiter: release a lock.
    Unlock {
        #[arg(long)]
        order: String,
    },
    /// Jupiter: add the dishes of a cart file (its `lines`) to an order.
    AddDishes {
        #[arg(long)]
        order: String,
        #[arg(long)]
        cart: PathBuf,
        #[arg(long)]
        keep_lock: bool,
    },
    /// Jupiter: print the bill (the order then takes no more dishes).
    PrintBill {
        #[arg(long)]
        order: String,
        #[arg(long)]
        keep_lock: bool,
    },
    /// Jupiter: attach a loyalty client by the code in this environment variable.
    AddClient {
        #[arg(long)]
        order: String,
        #[arg(long, value_name = "VAR")]
        code_env: String,
        #[arg(long)]
        keep_lock: bool,
    },
    /// ProCart: close an order; by default recording the kiosk's card payment when the POS
    /// lacks it, else the outstanding amount in the counter tender of the staff settings.
    Close {
        #[arg(long)]
        order: String,
        #[arg(long)]
        amount: Option<String>,
        /// The r_keeper currency code of the payment.
        #[arg(long)]
        currency: Option<String>,
        #[arg(long)]
        transaction_id: Option<String>,
        /// Close without recording a payment.
        #[arg(long)]
        no_payment: bool,
    },
    /// ProCart: the order's long comment, as r_keeper's print layouts read it.
    PrintInfo {
        #[arg(long)]
        order: String,
    },
}

fn env(var: &str) -> Result<String> {
    std::env::var(var).with_context(|| format!("the environment variable {var} is not set"))
}

fn credential(a: &StaffArgs) -> Result<StaffCredential> {
    if let Some(v) = &a.pin_env {
        return Ok(StaffCredential::Pin {
            staff_id: a.staff_id.clone(),
            pin: env(v)?,
        });
    }
    if let Some(v) = &a.password_env {
        return Ok(StaffCredential::Password { password: env(v)? });
    }
    if let Some(v) = &a.card_env {
        return Ok(StaffCredential::Card { track: env(v)? });
    }
    bail!("log in with --pin-env VAR (r_keeper) or --password-env / --card-env VAR (Jupiter)")
}

fn row_text(r: &StaffOrderRow) -> String {
    let age = r
        .age_s
        .map(|a| format!("{} min", a / 60))
        .unwrap_or_else(|| "-".into());
    let state = r
        .state
        .map(|s| s.as_str().to_string())
        .or_else(|| r.pos_status.as_ref().map(|s| s.as_str().to_string()))
        .unwrap_or_default();
    let problem = r
        .problem
        .as_ref()
        .map(|p| format!(" {}", serde_json::to_string(p).unwrap_or_default()))
        .unwrap_or_default();
    let actions: Vec<String> = r
        .actions
        .iter()
        .map(|a| serde_json::to_value(a).map(|v| v.as_str().unwrap_or("").to_string()))
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    format!(
        "  {:>6} {:<14} {:>10} {:>7}  checkout {} POS {}{}{}\n         actions: {}\n",
        r.number,
        state,
        r.total.to_string(),
        age,
        r.checkout_id.as_deref().unwrap_or("-"),
        r.pos_order_id.as_deref().unwrap_or("-"),
        r.locked_by
            .as_deref()
            .map(|h| format!(" (locked by {h})"))
            .unwrap_or_default(),
        problem,
        actions.join(" ")
    )
}

fn detail_text(d: &StaffOrderDetail) -> String {
    let mut t = row_text(&d.row);
    if let Some(q) = &d.quote {
        for l in &q.lines {
            t.push_str(&format!(
                "    {:>3} x {:<40} {:>10}\n",
                l.qty,
                l.name,
                l.total.to_string()
            ));
        }
        t.push_str(&format!("    total {:>50}\n", q.total.to_string()));
    }
    t.push_str("  history:\n");
    for h in &d.history {
        t.push_str(&format!(
            "    {} {:<22} {:<30} {}\n",
            h.at,
            h.what,
            h.staff.as_deref().unwrap_or(""),
            h.detail.as_deref().unwrap_or("")
        ));
    }
    t
}

/// Prints an outcome, in the words the journal uses, with the order or the comment when the
/// outcome carries one; fails when the action did not happen.
fn outcome(json_mode: bool, o: &StaffOutcome) -> Result<()> {
    let (done, summary) = outcome_summary(o);
    if !done {
        if json_mode {
            crate::print(true, serde_json::to_value(o)?, String::new());
        }
        bail!("{summary}");
    }
    let text = match o {
        StaffOutcome::Locked { order } | StaffOutcome::Updated { order } => {
            format!("{summary}\n{}", detail_text(order))
        }
        StaffOutcome::ClientAdded { discounts, .. } => discounts
            .iter()
            .fold(summary, |t, d| format!("{t}\n  {} {}", d.name, d.amount)),
        StaffOutcome::PrintInfo { comment } => comment.clone(),
        _ => summary,
    };
    crate::print(json_mode, serde_json::to_value(o)?, text);
    Ok(())
}

pub async fn run(cli: &Cli, a: &StaffArgs) -> Result<()> {
    let cfg = crate::config(cli, a.pay, a.pay_url.clone())?;
    let file = a
        .staff_file
        .clone()
        .unwrap_or_else(|| kiosk_engine::staff::default_settings_path(&cfg));
    if let StaffCommand::AddMember {
        id,
        name,
        new_pin_env,
    } = &a.command
    {
        let mut s = StaffSettings::load(&file)?;
        let pin = new_pin_env.as_deref().map(env).transpose()?;
        s.upsert_member(
            id,
            name,
            pin.as_deref(),
            kiosk_engine::staff::settings::Params::default(),
        )?;
        s.save(&file)?;
        crate::print(
            cli.json,
            json!({"file": file, "id": id, "name": name, "pin_set": s.member(id).is_some_and(|m| m.pin_hash.is_some())}),
            format!("{name} ({id}) saved in {}", file.display()),
        );
        return Ok(());
    }
    let secrets = crate::secrets(cli)?;
    let engine = Engine::from_config(cfg, secrets.as_ref(), crate::timings(cli))?;
    let desk = StaffDesk::from_engine(engine, secrets.as_ref(), Some(file))?;
    if let StaffCommand::Info = &a.command {
        let info = desk.login_info();
        let text = format!(
            "POS {}; staff mode {}; login by {:?}; members: {}; idle logout {} s{}",
            info.pos,
            if info.staff_mode { "on" } else { "off" },
            info.methods,
            info.members
                .iter()
                .map(|m| format!("{} ({})", m.name, m.id))
                .collect::<Vec<_>>()
                .join(", "),
            info.idle_logout_s,
            info.problem
                .as_deref()
                .map(|p| format!("\nproblem: {p}"))
                .unwrap_or_default()
        );
        crate::print(cli.json, serde_json::to_value(&info)?, text);
        return Ok(());
    }
    let session = match desk.login(credential(a)?).await? {
        StaffLoginVerdict::Granted { session } => session,
        StaffLoginVerdict::Wrong { .. } => bail!("wrong PIN, password or card"),
        StaffLoginVerdict::LockedOut { retry_in_s } => {
            bail!("too many wrong attempts: try again in {retry_in_s} s")
        }
    };
    let s = session.session.as_str();
    let json_mode = cli.json;
    let ipc = |e: kiosk_engine::staff::StaffError| anyhow!(e.to_string());
    match &a.command {
        StaffCommand::AddMember { .. } | StaffCommand::Info => unreachable!("handled above"),
        StaffCommand::Whoami => {
            let text = format!(
                "{} ({}) on {}{}",
                session.staff.name,
                session.staff.id,
                session.pos,
                session
                    .warning
                    .as_deref()
                    .map(|w| format!("\nwarning: {w}"))
                    .unwrap_or_default()
            );
            crate::print(json_mode, serde_json::to_value(&session)?, text);
        }
        StaffCommand::Orders => {
            let v = desk.orders(s).await.map_err(ipc)?;
            let mut text = String::from("PROBLEMS\n");
            v.problems.iter().for_each(|r| text.push_str(&row_text(r)));
            text.push_str("ORDERS\n");
            v.orders.iter().for_each(|r| text.push_str(&row_text(r)));
            if let Some(e) = &v.pos_error {
                text.push_str(&format!("the POS's orders could not be read: {e}\n"));
            }
            text.push_str(&format!(
                "{} problems, {} orders",
                v.problems.len(),
                v.orders.len()
            ));
            crate::print(json_mode, serde_json::to_value(&v)?, text);
        }
        StaffCommand::Order { which } => {
            let d = desk.order(s, which.reference()).await.map_err(ipc)?;
            crate::print(json_mode, serde_json::to_value(&d)?, detail_text(&d));
        }
        StaffCommand::RetrySend { checkout } => {
            outcome(json_mode, &desk.retry_send(s, checkout).await.map_err(ipc)?)?
        }
        StaffCommand::MarkHandled { checkout, reason } => outcome(
            json_mode,
            &desk.mark_handled(s, checkout, reason).await.map_err(ipc)?,
        )?,
        StaffCommand::Refund { checkout } => {
            outcome(json_mode, &desk.refund(s, checkout).await.map_err(ipc)?)?
        }
        StaffCommand::PrintNumber { which } => outcome(
            json_mode,
            &desk.print_number(s, which.reference()).await.map_err(ipc)?,
        )?,
        StaffCommand::Lock { order } => {
            outcome(json_mode, &desk.lock(s, order).await.map_err(ipc)?)?
        }
        StaffCommand::Unlock { order } => {
            outcome(json_mode, &desk.unlock(s, order).await.map_err(ipc)?)?
        }
        StaffCommand::AddDishes {
            order,
            cart,
            keep_lock,
        } => {
            let lines = crate::read_cart(cart)?.lines;
            locked(&desk, s, order, *keep_lock, json_mode, async {
                desk.add_dishes(s, order, lines).await
            })
            .await?
        }
        StaffCommand::PrintBill { order, keep_lock } => {
            locked(&desk, s, order, *keep_lock, json_mode, async {
                desk.print_bill(s, order).await
            })
            .await?
        }
        StaffCommand::AddClient {
            order,
            code_env,
            keep_lock,
        } => {
            let code = env(code_env)?;
            locked(&desk, s, order, *keep_lock, json_mode, async {
                desk.add_client(s, order, &code).await
            })
            .await?
        }
        StaffCommand::Close {
            order,
            amount,
            currency,
            transaction_id,
            no_payment,
        } => {
            let payment = StaffClosePayment {
                amount: amount
                    .as_deref()
                    .map(Money::parse)
                    .transpose()
                    .map_err(|e| anyhow!("--amount: {e}"))?,
                tender: currency.clone(),
                transaction_id: transaction_id.clone(),
                no_payment: no_payment.then_some(true),
            };
            outcome(
                json_mode,
                &desk.close(s, order, payment).await.map_err(ipc)?,
            )?
        }
        StaffCommand::PrintInfo { order } => {
            outcome(json_mode, &desk.print_info(s, order).await.map_err(ipc)?)?
        }
    }
    Ok(())
}

/// Lock, act, unlock (unless asked to keep the lock): the tablet's editing flow in one run.
async fn locked(
    desk: &StaffDesk,
    session: &str,
    order: &str,
    keep_lock: bool,
    json_mode: bool,
    act: impl std::future::Future<Output = Result<StaffOutcome, kiosk_engine::staff::StaffError>>,
) -> Result<()> {
    match desk
        .lock(session, order)
        .await
        .map_err(|e| anyhow!(e.to_string()))?
    {
        StaffOutcome::Locked { .. } => {}
        other => return outcome(json_mode, &other),
    }
    let result = act.await;
    if !keep_lock {
        if let Err(e) = desk.unlock(session, order).await {
            eprintln!("kioskctl: the order stays locked: {e}");
        }
    }
    outcome(json_mode, &result.map_err(|e| anyhow!(e.to_string()))?)
}
