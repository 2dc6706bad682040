//! The `sb_pilot` provider against the stand-in binary: every scenario of the reference, the
//! terminal's prompts as progress, recovery from the folders after a crash, void and refund.

use std::path::PathBuf;
use std::time::Duration;

use kiosk_core::payment::{PaymentOutcome, PaymentProgress, RefundOutcome};
use kiosk_core::ports::{PaymentError, PaymentProvider};
use pay_sim::sbpilot::{Ledger, SbPilotSimConfig, Scenario, CONFIG_ENV};
use payments::sbpilot::{SbPilotConfig, SbPilotProvider};

use crate::common::{money, progress, req, within};

struct Pilot {
    dir: tempfile::TempDir,
    provider: SbPilotProvider,
}

impl Pilot {
    fn new(scenario: Scenario) -> Pilot {
        Pilot::with(SbPilotSimConfig::with(scenario), Duration::from_secs(20))
    }

    fn with(sim: SbPilotSimConfig, timeout: Duration) -> Pilot {
        let dir = tempfile::tempdir().unwrap();
        let install = dir.path().join("install");
        std::fs::create_dir_all(&install).unwrap();
        std::fs::write(install.join("pinpad.ini"), "[PINPAD]\nComPort=99\n").unwrap();
        let config_path = dir.path().join("sim.json");
        sim.write(&config_path).unwrap();
        let mut cfg =
            SbPilotConfig::new(pay_sim::sb_pilot_binary().unwrap(), dir.path().join("work"));
        cfg.install_dir = Some(install);
        cfg.env.insert(
            CONFIG_ENV.into(),
            config_path.to_string_lossy().into_owned(),
        );
        let provider = SbPilotProvider::new(cfg).unwrap().with_timeout(timeout);
        Pilot { dir, provider }
    }

    fn config_path(&self) -> PathBuf {
        self.dir.path().join("sim.json")
    }

    fn set(&self, sim: SbPilotSimConfig) {
        sim.write(&self.config_path()).unwrap();
    }

    fn ledger(&self) -> Ledger {
        Ledger::read(&pay_sim::sbpilot::ledger_path_for(&self.config_path()))
    }

    fn op_dir(&self, attempt: &str, op: &str) -> PathBuf {
        self.dir.path().join("work").join(attempt).join(op)
    }
}

#[tokio::test]
async fn approve_shows_the_terminal_prompts_and_is_never_run_twice() {
    let p = Pilot::new(Scenario::Approve);
    let (pr, _rx) = progress();
    let out = within(20, p.provider.start(&req("s1", "849.10"), pr.sink())).await;
    let PaymentOutcome::Approved { receipt } = out.unwrap() else {
        panic!("not approved")
    };
    assert_eq!(receipt.provider, "sbpilot");
    assert_eq!(receipt.amount, money("849.10"));
    assert_eq!(receipt.card_mask.as_deref(), Some("220220******1234"));
    assert_eq!(receipt.auth_code.as_ref().map(String::len), Some(6));
    assert_eq!(receipt.transaction_id.len(), 12, "the reference number");
    assert_eq!(receipt.paid_at.len(), 19);

    // What the customer saw: the amount, the terminal's own prompts (decoded from KOI8-R and
    // recognised as keys the screen translates), then "processing".
    let seen = pr.all();
    assert_eq!(
        seen.first(),
        Some(&PaymentProgress::Started {
            amount: money("849.10")
        })
    );
    assert_eq!(seen.last(), Some(&PaymentProgress::Processing));
    let prompts = pr.prompts();
    assert_eq!(
        prompts,
        ["card_prompt", "pin_prompt", "bank_connect", "approved"].map(String::from),
        "in the order the terminal showed them"
    );

    // The sale ran in its own folder, with sb_pilot's files linked in.
    let sale = p.op_dir("s1", "sale");
    assert!(sale.join("e").exists() && sale.join("p").exists());
    assert!(sale.join("pinpad.ini").exists());
    assert!(p.provider.slip("s1").unwrap().contains("ОДОБРЕНО"));

    // The same attempt again: the folder answers, the terminal is not used again.
    let (again, _rx) = progress();
    let second = p
        .provider
        .start(&req("s1", "849.10"), again.sink())
        .await
        .unwrap();
    assert!(matches!(second, PaymentOutcome::Approved { .. }));
    assert_eq!(p.ledger().sales().count(), 1);
    assert!(matches!(
        p.provider.status("s1").await.unwrap(),
        PaymentOutcome::Approved { .. }
    ));
    assert_eq!(p.ledger().charged(), 84910);
}

#[tokio::test]
async fn decline_customer_cancel_and_no_pinpad_charge_nothing() {
    let p = Pilot::new(Scenario::Decline);
    let (pr, _rx) = progress();
    match p
        .provider
        .start(&req("d1", "100.00"), pr.sink())
        .await
        .unwrap()
    {
        PaymentOutcome::Declined { reason } => {
            assert!(
                reason.contains("НЕДОСТАТОЧНО СРЕДСТВ") && reason.contains("4451"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }

    p.set(SbPilotSimConfig::with(Scenario::CustomerCancel));
    assert_eq!(
        p.provider
            .start(&req("c1", "100.00"), pr.sink())
            .await
            .unwrap(),
        PaymentOutcome::Cancelled
    );

    p.set(SbPilotSimConfig::with(Scenario::NoPinpad));
    match p
        .provider
        .start(&req("n1", "100.00"), pr.sink())
        .await
        .unwrap()
    {
        PaymentOutcome::Declined { reason } => {
            assert!(reason.contains("НЕТ СВЯЗИ С ПИНПАДОМ"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        p.provider.health().await,
        Err(PaymentError::Unreachable(_))
    ));
    // A declined sale has nothing to cancel or refund.
    assert_eq!(
        p.provider.cancel("d1").await.unwrap(),
        PaymentOutcome::Cancelled
    );
    assert!(matches!(
        p.provider.refund("d1", money("100.00")).await.unwrap(),
        RefundOutcome::Failed { .. }
    ));
    assert_eq!(p.ledger().charged(), 0);

    p.set(SbPilotSimConfig::with(Scenario::Approve));
    assert!(p.provider.health().await.unwrap().contains("ПИНПАД ГОТОВ"));
}

#[tokio::test]
async fn a_hung_terminal_is_stopped_and_the_outcome_is_unknown() {
    let p = Pilot::with(
        SbPilotSimConfig {
            hang_s: 60,
            ..SbPilotSimConfig::with(Scenario::Hang)
        },
        Duration::from_millis(700),
    );
    let (pr, _rx) = progress();
    let started = std::time::Instant::now();
    let out = within(15, p.provider.start(&req("h1", "250.00"), pr.sink())).await;
    assert_eq!(out.unwrap(), PaymentOutcome::Pending);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "killed at the timeout"
    );
    // The prompt before the hang reached the customer.
    assert!(!pr.prompts().is_empty());
    // Unknown stays unknown: never voided blindly, never charged again.
    assert_eq!(
        p.provider.status("h1").await.unwrap(),
        PaymentOutcome::Pending
    );
    assert_eq!(
        p.provider.cancel("h1").await.unwrap(),
        PaymentOutcome::Pending
    );
    assert_eq!(
        p.provider
            .start(&req("h1", "250.00"), pr.sink())
            .await
            .unwrap(),
        PaymentOutcome::Pending
    );
    assert!(!p.op_dir("h1", "cancel").exists());
}

#[tokio::test]
async fn a_crash_after_the_result_is_read_from_the_file() {
    let p = Pilot::new(Scenario::CrashAfterResult);
    let (pr, _rx) = progress();
    let out = p
        .provider
        .start(&req("ca1", "120.00"), pr.sink())
        .await
        .unwrap();
    assert!(matches!(out, PaymentOutcome::Approved { .. }), "{out:?}");
    assert_eq!(p.ledger().charged(), 12000);
}

#[tokio::test]
async fn a_crash_before_the_result_or_garbage_is_unknown_not_declined() {
    let p = Pilot::new(Scenario::CrashBeforeResult);
    let (pr, _rx) = progress();
    assert_eq!(
        p.provider
            .start(&req("cb1", "120.00"), pr.sink())
            .await
            .unwrap(),
        PaymentOutcome::Pending
    );
    // The terminal did charge: that is exactly why "no result" must not mean "declined".
    assert_eq!(p.ledger().charged(), 12000);
    assert!(matches!(
        p.provider.refund("cb1", money("120.00")).await.unwrap(),
        RefundOutcome::Failed { reason } if reason.contains("unknown")
    ));

    p.set(SbPilotSimConfig::with(Scenario::Garbage));
    assert_eq!(
        p.provider
            .start(&req("g1", "120.00"), pr.sink())
            .await
            .unwrap(),
        PaymentOutcome::Pending
    );
    assert_eq!(
        p.provider.status("g1").await.unwrap(),
        PaymentOutcome::Pending
    );
}

#[tokio::test]
async fn status_after_a_kiosk_crash_reads_what_sb_pilot_left() {
    let p = Pilot::new(Scenario::Approve);
    assert_eq!(
        p.provider.status("k1").await.unwrap(),
        PaymentOutcome::NotFound
    );
    assert_eq!(
        p.provider.cancel("k1").await.unwrap(),
        PaymentOutcome::NotFound
    );

    // A previous kiosk process wrote its marker and started sb_pilot, then died.
    let sale = p.op_dir("k1", "sale");
    std::fs::create_dir_all(&sale).unwrap();
    std::fs::write(
        sale.join("kiosk-op.json"),
        r#"{"op":"sale","attempt_id":"k1","amount":"300.00","args":["1","30000"],"started_at":"2026-01-15T12:00:00"}"#,
    )
    .unwrap();
    assert_eq!(
        p.provider.status("k1").await.unwrap(),
        PaymentOutcome::Pending
    );

    // sb_pilot, orphaned, finishes on its own.
    let status = std::process::Command::new(pay_sim::sb_pilot_binary().unwrap())
        .args(["1", "30000"])
        .current_dir(&sale)
        .env(CONFIG_ENV, p.config_path())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());

    // A new kiosk process (a new provider) finds the charge.
    let fresh = Pilot {
        provider: SbPilotProvider::new(SbPilotConfig::new(
            pay_sim::sb_pilot_binary().unwrap(),
            p.dir.path().join("work"),
        ))
        .unwrap(),
        dir: p.dir,
    };
    let PaymentOutcome::Approved { receipt } = fresh.provider.status("k1").await.unwrap() else {
        panic!("not approved")
    };
    assert_eq!(receipt.amount, money("300.00"));
    let (pr, _rx) = progress();
    assert!(matches!(
        fresh
            .provider
            .start(&req("k1", "300.00"), pr.sink())
            .await
            .unwrap(),
        PaymentOutcome::Approved { .. }
    ));
    assert_eq!(fresh.ledger().sales().count(), 1, "never charged twice");
}

#[tokio::test]
async fn void_and_refund_return_the_money_once() {
    let p = Pilot::new(Scenario::Approve);
    let (pr, _rx) = progress();
    p.provider
        .start(&req("v1", "150.00"), pr.sink())
        .await
        .unwrap();
    assert_eq!(
        p.provider.cancel("v1").await.unwrap(),
        PaymentOutcome::Cancelled
    );
    assert_eq!(
        p.provider.status("v1").await.unwrap(),
        PaymentOutcome::Cancelled
    );
    assert_eq!(
        p.provider.cancel("v1").await.unwrap(),
        PaymentOutcome::Cancelled
    );

    let PaymentOutcome::Approved { receipt } = p
        .provider
        .start(&req("r1", "849.10"), pr.sink())
        .await
        .unwrap()
    else {
        panic!("not approved")
    };
    let first = p.provider.refund("r1", money("849.10")).await.unwrap();
    assert!(matches!(first, RefundOutcome::Refunded { .. }), "{first:?}");
    let again = p.provider.refund("r1", money("849.10")).await.unwrap();
    assert_eq!(first, again, "a repeated refund reads its folder");
    let ledger = p.ledger();
    let refunds: Vec<_> = ledger.entries.iter().filter(|e| e.op == "refund").collect();
    assert_eq!(refunds.len(), 1);
    assert_eq!(
        refunds[0].original.as_deref(),
        Some(receipt.transaction_id.as_str())
    );
    assert_eq!(ledger.charged(), 0);
    assert_eq!(
        p.provider.status("r1").await.unwrap(),
        PaymentOutcome::Cancelled
    );

    // A refund the terminal refuses.
    p.provider
        .start(&req("r2", "100.00"), pr.sink())
        .await
        .unwrap();
    p.set(SbPilotSimConfig {
        refund: Some(Scenario::Decline),
        ..SbPilotSimConfig::default()
    });
    assert!(matches!(
        p.provider.refund("r2", money("100.00")).await.unwrap(),
        RefundOutcome::Failed { .. }
    ));
    assert_eq!(p.ledger().charged(), 10000);
}

#[tokio::test]
async fn configuration_faults_are_errors_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let p = SbPilotProvider::new(SbPilotConfig::new(
        dir.path().join("no-such-sb_pilot"),
        dir.path().join("work"),
    ))
    .unwrap();
    let (pr, _rx) = progress();
    assert!(matches!(
        p.start(&req("x1", "10.00"), pr.sink()).await,
        Err(PaymentError::Config(_))
    ));
    // Nothing ran, so nothing is left to block a retry.
    assert_eq!(p.status("x1").await.unwrap(), PaymentOutcome::NotFound);
    assert!(matches!(
        p.start(&req("x2", "10.005"), pr.sink()).await,
        Err(PaymentError::Config(_))
    ));
    assert!(matches!(
        p.start(&req("../x", "10.00"), pr.sink()).await,
        Err(PaymentError::Config(_))
    ));
}
