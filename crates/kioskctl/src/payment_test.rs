//! `kioskctl payment-test`: an installer's check of a payment provider, without a POS.
//!
//! Runs a small real sale against the configured endpoint (the bank's terminal, T-Bank's or
//! YooKassa's API, or their simulators), then takes the money back (refund by default, or
//! cancel), then reads the status, printing each step as it happens: the terminal's prompts,
//! the QR payload to scan, each outcome. With `--json` it prints one JSON document instead.
//! Exit code 0 only when the sale was approved and the money came back.
//!
//! It has its own flags because it needs no POS (`main.rs` hands it the command line before
//! parsing its own). Secrets come from environment variables named by `--*-env`, or else from
//! the OS keyring entries the kiosk uses; they are never printed.
//!
//! ```text
//! kioskctl payment-test --provider sbpilot --binary /opt/sb_pilot/sb_pilot [--work-dir DIR]
//! kioskctl payment-test --provider tbank [--url URL] --terminal-key-env K --password-env P
//! kioskctl payment-test --provider yookassa [--url URL] --shop-id-env S --secret-key-env K
//!     [--amount 10.00] [--then refund|cancel] [--wait-s 120] [--json]
//! ```

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, ValueEnum};
use kiosk_core::payment::{PaymentOutcome, PaymentProgress, PaymentRequest, RefundOutcome};
use kiosk_core::ports::{PaymentProvider, ProgressSink};
use kiosk_core::Money;
use kiosk_engine::secrets::{KeyringSecrets, SecretStore};
use payments::sbpilot::{SbPilotConfig, SbPilotProvider};
use payments::tbank::TbankConfig;
use payments::yookassa::YookassaConfig;
use payments::{ProviderConfig, ProviderSecrets};
use serde_json::{json, Value};

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum ProviderArg {
    Sbpilot,
    Tbank,
    Yookassa,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Then {
    /// Refund the approved sale.
    Refund,
    /// Cancel (void) it instead.
    Cancel,
}

#[derive(Parser, Debug)]
#[command(
    name = "kioskctl payment-test",
    about = "A small sale and its refund against a payment provider, step by step"
)]
pub struct Args {
    #[arg(long, value_enum)]
    pub provider: ProviderArg,
    /// The sale's amount.
    #[arg(long, default_value = "10.00")]
    pub amount: String,
    /// How to take the money back.
    #[arg(long, value_enum, default_value = "refund")]
    pub then: Then,
    /// How long to wait for the card or for the QR to be paid, in seconds.
    #[arg(long, default_value_t = 120)]
    pub wait_s: u64,
    /// The attempt id (default: `test-<time>`); the same id resumes that attempt.
    #[arg(long)]
    pub attempt_id: Option<String>,
    /// The API's base address (T-Bank, YooKassa; default: production).
    #[arg(long)]
    pub url: Option<String>,
    /// sb_pilot: the executable.
    #[arg(long)]
    pub binary: Option<PathBuf>,
    /// sb_pilot: its own folder (default: the executable's).
    #[arg(long)]
    pub install_dir: Option<PathBuf>,
    /// sb_pilot: where operations get their folders; YooKassa: where attempts are recorded.
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// sb_pilot: extra environment, `NAME=VALUE` (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<String>,
    /// T-Bank: the QR's lifetime in seconds (at least 60).
    #[arg(long, default_value_t = 300)]
    pub qr_lifetime_s: u64,
    /// T-Bank: read the terminal key from this environment variable (else the keyring).
    #[arg(long, value_name = "VAR")]
    pub terminal_key_env: Option<String>,
    /// T-Bank: read the password from this environment variable (else the keyring).
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// YooKassa: read the shop id from this environment variable (else the keyring).
    #[arg(long, value_name = "VAR")]
    pub shop_id_env: Option<String>,
    /// YooKassa: read the secret key from this environment variable (else the keyring).
    #[arg(long, value_name = "VAR")]
    pub secret_key_env: Option<String>,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// The command's entry point: `args` starts with `payment-test`. Returns the exit code.
pub fn main(args: impl IntoIterator<Item = std::ffi::OsString>) -> i32 {
    let args = Args::parse_from(args);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kioskctl: cannot start: {e}");
            return 2;
        }
    };
    match rt.block_on(run(&args, &KeyringSecrets::new())) {
        Ok(report) => {
            if args.json {
                println!("{report}");
            }
            if report["ok"] == true {
                0
            } else {
                1
            }
        }
        Err(e) => {
            eprintln!("kioskctl: {e:#}");
            1
        }
    }
}

fn data_dir() -> PathBuf {
    kiosk_engine::engine::default_data_dir().join("kioskctl")
}

/// Reads each needed secret from its `--*-env` variable, or else from the keyring.
fn secrets(
    args: &Args,
    config: &ProviderConfig,
    keyring: &dyn SecretStore,
) -> Result<ProviderSecrets> {
    let mut out = ProviderSecrets::new();
    let overrides: Vec<(&str, &Option<String>)> = match config {
        ProviderConfig::Tbank(c) => vec![
            (c.terminal_key_secret.as_str(), &args.terminal_key_env),
            (c.password_secret.as_str(), &args.password_env),
        ],
        ProviderConfig::Yookassa(c) => vec![
            (c.shop_id_secret.as_str(), &args.shop_id_env),
            (c.secret_key_secret.as_str(), &args.secret_key_env),
        ],
        _ => vec![],
    };
    for (name, var) in overrides {
        let value = match var {
            Some(var) => Some(
                std::env::var(var)
                    .with_context(|| format!("the environment variable {var} is not set"))?,
            ),
            None => keyring.get(name)?,
        };
        if let Some(v) = value {
            out.insert(name, v);
        }
    }
    Ok(out)
}

/// The provider settings the flags describe.
pub fn provider_config(args: &Args) -> Result<ProviderConfig> {
    Ok(match args.provider {
        ProviderArg::Sbpilot => {
            let binary = args
                .binary
                .clone()
                .ok_or_else(|| anyhow!("--binary (the sb_pilot executable) is required"))?;
            let mut c = SbPilotConfig::new(
                binary,
                args.work_dir
                    .clone()
                    .unwrap_or_else(|| data_dir().join("sbpilot")),
            );
            c.install_dir = args.install_dir.clone();
            c.timeout_s = args.wait_s;
            for kv in &args.env {
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| anyhow!("--env wants NAME=VALUE, got {kv:?}"))?;
                c.env.insert(k.to_string(), v.to_string());
            }
            ProviderConfig::Sbpilot(c)
        }
        ProviderArg::Tbank => {
            let mut c =
                TbankConfig::new(args.url.as_deref().unwrap_or(payments::tbank::DEFAULT_URL));
            c.qr_lifetime_s = args.qr_lifetime_s;
            c.wait_s = Some(args.wait_s);
            ProviderConfig::Tbank(c)
        }
        ProviderArg::Yookassa => {
            let mut c = YookassaConfig::new(
                args.url
                    .as_deref()
                    .unwrap_or(payments::yookassa::DEFAULT_URL),
                args.work_dir
                    .clone()
                    .unwrap_or_else(|| data_dir().join("yookassa")),
            );
            c.wait_s = args.wait_s;
            ProviderConfig::Yookassa(c)
        }
    })
}

/// One line in text mode, one entry of `steps` in JSON mode.
struct Steps {
    json: bool,
    steps: Vec<Value>,
}

impl Steps {
    fn add(&mut self, step: Value, text: String) {
        if !self.json {
            println!("{text}");
        }
        self.steps.push(step);
    }
}

fn describe(o: &PaymentOutcome) -> String {
    match o {
        PaymentOutcome::Approved { receipt } => format!(
            "approved: {} {}, transaction {}{}{}",
            receipt.amount,
            receipt.paid_at,
            receipt.transaction_id,
            receipt
                .auth_code
                .as_deref()
                .map(|a| format!(", auth code {a}"))
                .unwrap_or_default(),
            receipt
                .card_mask
                .as_deref()
                .map(|c| format!(", card {c}"))
                .unwrap_or_default(),
        ),
        PaymentOutcome::Declined { reason } => format!("declined: {reason}"),
        PaymentOutcome::Cancelled => "cancelled (nothing charged)".into(),
        PaymentOutcome::Pending => "unknown yet (pending)".into(),
        PaymentOutcome::NotFound => "the provider has no such payment".into(),
        PaymentOutcome::PayAtCounter => "pay at the counter".into(),
    }
}

fn describe_refund(o: &RefundOutcome) -> String {
    match o {
        RefundOutcome::Refunded { reference } => format!("refunded ({reference})"),
        RefundOutcome::Pending => "refund not confirmed yet (pending)".into(),
        RefundOutcome::Failed { reason } => format!("refund failed: {reason}"),
    }
}

/// Runs the check and returns the report (also printed step by step in text mode).
pub async fn run(args: &Args, keyring: &dyn SecretStore) -> Result<Value> {
    let amount = Money::parse(&args.amount).map_err(|e| anyhow!("--amount: {e}"))?;
    if amount.is_negative() || amount.is_zero() {
        bail!("--amount must be positive");
    }
    let config = provider_config(args)?;
    let attempt_id = args.attempt_id.clone().unwrap_or_else(|| {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        format!("test-{ms}")
    });
    let mut steps = Steps {
        json: args.json,
        steps: vec![],
    };
    let provider: Arc<dyn PaymentProvider> = match &config {
        ProviderConfig::Sbpilot(c) => {
            let p = SbPilotProvider::new(c.clone()).map_err(|e| anyhow!("{e}"))?;
            let health = p.health().await;
            steps.add(
                json!({ "step": "health", "ok": health.is_ok(), "detail": match &health {
                    Ok(t) => t.clone(), Err(e) => e.to_string() } }),
                match &health {
                    Ok(t) => format!("terminal check (sb_pilot 26): {t}"),
                    Err(e) => format!("terminal check (sb_pilot 26): FAILED: {e}"),
                },
            );
            if health.is_err() {
                return Ok(json!({ "provider": "sbpilot", "attempt_id": attempt_id,
                    "amount": amount, "steps": steps.steps, "ok": false }));
            }
            Arc::new(p)
        }
        other => payments::build_with_secrets(other, &secrets(args, other, keyring)?)
            .map_err(|e| anyhow!("{e}"))?,
    };
    let name = provider.name();
    if !args.json {
        println!("provider {name}: sale of {amount} (attempt {attempt_id})");
    }

    // Progress as it happens: prompts and the QR to scan.
    let progress_log: Arc<Mutex<Vec<PaymentProgress>>> = Arc::default();
    let sink: ProgressSink = {
        let log = progress_log.clone();
        let text = !args.json;
        Arc::new(move |p: PaymentProgress| {
            if text {
                match &p {
                    PaymentProgress::Prompt { text } => println!("  terminal: {text}"),
                    PaymentProgress::ShowQr {
                        payload,
                        expires_in_s,
                    } => println!(
                        "  scan this SBP QR payload within {expires_in_s} s (any QR generator shows it):\n  {payload}"
                    ),
                    PaymentProgress::Processing => println!("  processing..."),
                    PaymentProgress::Expired => println!("  the QR expired; closing it"),
                    PaymentProgress::Started { .. } => {}
                }
            }
            log.lock().unwrap_or_else(|p| p.into_inner()).push(p);
        })
    };
    let req = PaymentRequest {
        attempt_id: attempt_id.clone(),
        order_ref: attempt_id.clone(),
        amount,
        description: "Kiosk payment test".into(),
    };
    let sale = provider.start(&req, sink).await;
    let progress = progress_log
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let sale = match sale {
        Ok(o) => o,
        Err(e) => {
            steps.add(
                json!({ "step": "sale", "error": e.to_string(), "progress": progress }),
                format!("sale: FAILED: {e}"),
            );
            return Ok(
                json!({ "provider": name, "attempt_id": attempt_id, "amount": amount,
                "steps": steps.steps, "ok": false }),
            );
        }
    };
    steps.add(
        json!({ "step": "sale", "outcome": sale, "progress": progress }),
        format!("sale: {}", describe(&sale)),
    );

    let approved = matches!(sale, PaymentOutcome::Approved { .. });
    let mut returned = false;
    if approved && args.then == Then::Refund {
        let r = provider
            .refund(&attempt_id, amount)
            .await
            .map_err(|e| anyhow!("refund: {e}"))?;
        returned = matches!(r, RefundOutcome::Refunded { .. });
        steps.add(
            json!({ "step": "refund", "outcome": r }),
            format!("refund: {}", describe_refund(&r)),
        );
    } else if approved || matches!(sale, PaymentOutcome::Pending) {
        // A QR nobody paid, or an explicit void.
        let c = provider
            .cancel(&attempt_id)
            .await
            .map_err(|e| anyhow!("cancel: {e}"))?;
        returned = approved && c == PaymentOutcome::Cancelled;
        steps.add(
            json!({ "step": "cancel", "outcome": c }),
            format!("cancel: {}", describe(&c)),
        );
    }
    let status = provider
        .status(&attempt_id)
        .await
        .map_err(|e| anyhow!("status: {e}"))?;
    steps.add(
        json!({ "step": "status", "outcome": status }),
        format!("status now: {}", describe(&status)),
    );
    let ok = approved && returned;
    if !args.json {
        println!(
            "{}",
            if ok {
                "payment test passed: charged and returned"
            } else if approved {
                "payment test FAILED: charged but not returned; check with the bank"
            } else {
                "payment test FAILED: the sale was not approved"
            }
        );
    }
    Ok(json!({
        "provider": name,
        "attempt_id": attempt_id,
        "amount": amount,
        "steps": steps.steps,
        "ok": ok,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_engine::secrets::MemorySecrets;

    fn args(list: &[&str]) -> Args {
        Args::parse_from(
            ["payment-test"]
                .iter()
                .chain(list.iter())
                .map(std::ffi::OsString::from),
        )
    }

    #[tokio::test]
    async fn tbank_sale_and_refund_against_the_simulator() {
        let sim = pay_sim::tbank::spawn(Default::default()).await.unwrap();
        sim.set_next_outcome(Some(pay_sim::tbank::TbankOutcome::Confirm));
        let keyring = MemorySecrets::with("tbank-terminal-key", pay_sim::tbank::DEMO_TERMINAL_KEY);
        keyring
            .set("tbank-password", pay_sim::tbank::DEMO_PASSWORD)
            .unwrap();
        let a = args(&[
            "--provider",
            "tbank",
            "--url",
            &sim.api_url(),
            "--json",
            "--attempt-id",
            "pt-1",
        ]);
        let report = run(&a, &keyring).await.unwrap();
        assert_eq!(report["ok"], true, "{report}");
        let steps: Vec<&str> = report["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].as_str().unwrap())
            .collect();
        assert_eq!(steps, ["sale", "refund", "status"]);
        assert_eq!(report["steps"][0]["outcome"]["kind"], "approved");
        assert_eq!(report["steps"][0]["progress"][1]["kind"], "show_qr");
        assert_eq!(sim.payments_of("pt-1")[0].charged, 0);
        // Without the password the installer is told which keyring entry is missing.
        let empty = MemorySecrets::default();
        let err = run(&a, &empty).await.unwrap_err().to_string();
        assert!(err.contains("tbank-terminal-key"), "{err}");
    }

    #[tokio::test]
    async fn yookassa_unpaid_qr_is_reported_not_passed() {
        let sim = pay_sim::yookassa::spawn(Default::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let keyring = MemorySecrets::with("yookassa-shop-id", pay_sim::yookassa::DEMO_SHOP_ID);
        keyring
            .set("yookassa-secret-key", pay_sim::yookassa::DEMO_SECRET_KEY)
            .unwrap();
        sim.set_next_outcome(Some(pay_sim::yookassa::YookassaOutcome::Reject));
        let work = dir.path().to_string_lossy().into_owned();
        let a = |id: &str| {
            args(&[
                "--provider",
                "yookassa",
                "--url",
                &sim.api_url(),
                "--json",
                "--work-dir",
                &work,
                "--wait-s",
                "1",
                "--attempt-id",
                id,
            ])
        };
        let report = run(&a("yk-1"), &keyring).await.unwrap();
        assert_eq!(report["ok"], false, "{report}");
        assert_eq!(report["steps"][0]["outcome"]["kind"], "declined");

        sim.set_next_outcome(Some(pay_sim::yookassa::YookassaOutcome::Pay));
        let report = run(&a("yk-2"), &keyring).await.unwrap();
        assert_eq!(report["ok"], true, "{report}");
    }

    #[tokio::test]
    async fn sbpilot_health_sale_and_void() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("sim.json");
        pay_sim::sbpilot::SbPilotSimConfig::default()
            .write(&cfg)
            .unwrap();
        let binary = pay_sim::sb_pilot_binary().unwrap();
        let env = format!("{}={}", pay_sim::sbpilot::CONFIG_ENV, cfg.display());
        let work = dir.path().join("work");
        let a = args(&[
            "--provider",
            "sbpilot",
            "--binary",
            &binary.to_string_lossy(),
            "--work-dir",
            &work.to_string_lossy(),
            "--env",
            &env,
            "--then",
            "cancel",
            "--json",
        ]);
        let report = run(&a, &MemorySecrets::default()).await.unwrap();
        assert_eq!(report["ok"], true, "{report}");
        let steps: Vec<&str> = report["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].as_str().unwrap())
            .collect();
        assert_eq!(steps, ["health", "sale", "cancel", "status"]);
        let ledger = pay_sim::sbpilot::Ledger::read(&pay_sim::sbpilot::ledger_path_for(&cfg));
        assert_eq!(ledger.charged(), 0);
    }
}
