//! `--demo-payment`: the demo with a real payment provider against its simulator, so the card
//! terminal's prompts and the SBP QR flow can be shown without a bank (`make run PAY=tbank`).
//!
//! - `simulator` (default): the POS simulator's own card terminal, as before.
//! - `sbpilot`: the real `sb_pilot` provider driving the stand-in `sb_pilot` binary built next
//!   to the app (`cargo build -p pay-sim`), slowed down so each terminal prompt can be read.
//! - `tbank`, `yookassa`: the real SBP QR providers against their HTTP simulators, started here
//!   in-process; a QR on screen is paid by itself after a few seconds, as if a customer had
//!   scanned it (the simulator's admin routes, logged at start, can also pay, reject or expire
//!   it).
//!
//! The simulators live as long as the app; their keys are the simulators' demo keys, kept in
//! the demo's in-memory secret store like the POS token.

use std::path::Path;
use std::sync::Mutex;

use kiosk_engine::secrets::{MemorySecrets, SecretStore};
use kiosk_engine::KioskConfig;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DemoPayment {
    #[default]
    Simulator,
    Sbpilot,
    Tbank,
    Yookassa,
}

/// How long a demo QR waits for its pretend customer.
const AUTO_PAY_AFTER_MS: u64 = 8_000;
/// How long each demo terminal prompt stays up.
const PROMPT_DELAY_MS: u64 = 1_500;

/// The demo's payment simulators, kept running for the life of the app.
static RUNNING: Mutex<Vec<Box<dyn std::any::Any + Send>>> = Mutex::new(Vec::new());

fn keep(server: impl std::any::Any + Send) {
    RUNNING
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(Box::new(server));
}

/// Points the demo settings at the chosen provider, starting its simulator.
pub async fn setup(
    choice: DemoPayment,
    config: &mut KioskConfig,
    secrets: &MemorySecrets,
    data_dir: &Path,
) -> Result<(), String> {
    let pay = &mut config.payment;
    match choice {
        DemoPayment::Simulator => return Ok(()),
        DemoPayment::Sbpilot => {
            let binary = std::env::current_exe()
                .map_err(|e| e.to_string())?
                .with_file_name(format!("sb_pilot{}", std::env::consts::EXE_SUFFIX));
            if !binary.exists() {
                return Err(format!(
                    "the demo card terminal {} is missing: build it with `cargo build -p pay-sim`",
                    binary.display()
                ));
            }
            std::fs::create_dir_all(data_dir).map_err(|e| e.to_string())?;
            let sim_config = data_dir.join("sb_pilot-sim.json");
            pay_sim::sbpilot::SbPilotSimConfig {
                prompt_delay_ms: PROMPT_DELAY_MS,
                ..Default::default()
            }
            .write(&sim_config)
            .map_err(|e| format!("cannot write {}: {e}", sim_config.display()))?;
            let mut c = payments::sbpilot::SbPilotConfig::new(&binary, "");
            c.timeout_s = 120;
            c.env.insert(
                pay_sim::sbpilot::CONFIG_ENV.into(),
                sim_config.display().to_string(),
            );
            pay.provider = "sbpilot".into();
            pay.url = None;
            pay.sbpilot = Some(c);
        }
        DemoPayment::Tbank => {
            let sim = pay_sim::tbank::spawn(pay_sim::tbank::TbankSimConfig {
                auto_pay_after_ms: Some(AUTO_PAY_AFTER_MS),
                ..Default::default()
            })
            .await
            .map_err(|e| format!("the demo T-Bank simulator did not start: {e}"))?;
            tracing::info!(api = %sim.api_url(), admin = %format!("{}/_sim/payments", sim.url()), "demo: T-Bank simulator running; QRs pay themselves after {} s", AUTO_PAY_AFTER_MS / 1000);
            let c = payments::tbank::TbankConfig {
                qr_lifetime_s: 120,
                ..payments::tbank::TbankConfig::new(&sim.api_url())
            };
            secrets
                .set(&c.terminal_key_secret, pay_sim::tbank::DEMO_TERMINAL_KEY)
                .map_err(|e| e.to_string())?;
            secrets
                .set(&c.password_secret, pay_sim::tbank::DEMO_PASSWORD)
                .map_err(|e| e.to_string())?;
            pay.provider = "tbank".into();
            pay.url = Some(sim.api_url());
            pay.tbank = Some(c);
            keep(sim);
        }
        DemoPayment::Yookassa => {
            let sim = pay_sim::yookassa::spawn(pay_sim::yookassa::YookassaSimConfig {
                auto_pay_after_ms: Some(AUTO_PAY_AFTER_MS),
                ..Default::default()
            })
            .await
            .map_err(|e| format!("the demo YooKassa simulator did not start: {e}"))?;
            tracing::info!(api = %sim.api_url(), admin = %format!("{}/_sim/payments", sim.url()), "demo: YooKassa simulator running; QRs pay themselves after {} s", AUTO_PAY_AFTER_MS / 1000);
            let c = payments::yookassa::YookassaConfig {
                wait_s: 120,
                ..payments::yookassa::YookassaConfig::new(&sim.api_url(), "")
            };
            secrets
                .set(&c.shop_id_secret, pay_sim::yookassa::DEMO_SHOP_ID)
                .map_err(|e| e.to_string())?;
            secrets
                .set(&c.secret_key_secret, pay_sim::yookassa::DEMO_SECRET_KEY)
                .map_err(|e| e.to_string())?;
            pay.provider = "yookassa".into();
            pay.url = Some(sim.api_url());
            pay.yookassa = Some(c);
            keep(sim);
        }
    }
    Ok(())
}
