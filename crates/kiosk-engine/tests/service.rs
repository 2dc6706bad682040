//! The wizard's connection test, the service screen's diagnostics and the diagnostics export,
//! against the simulators.

mod support;

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use kiosk_core::cart::{Cart, CartLine, OrderType};
use kiosk_core::view::{CheckStatus, CheckoutResult};
use kiosk_engine::engine::{Engine, Timings};
use kiosk_engine::secrets::{MemorySecrets, SecretStore};
use kiosk_engine::{diagnostics, service, KioskConfig};
use pos_sim::{Fault, FaultKind, SimConfig};
use support::{demo_config, spawn_pos};

fn ids(lines: &[kiosk_core::view::CheckLine]) -> Vec<(String, CheckStatus)> {
    lines.iter().map(|l| (l.id.clone(), l.status)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_procart_connection_test_has_a_line_per_check_each_with_its_fix() {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = KioskConfig::demo(&sim.url(), dir.path().to_path_buf());
    let good = MemorySecrets::with("pos-token", pos_sim::DEMO_TOKEN);

    let r = service::test_connection(&config, &good).await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(
        ids(&r.lines),
        [
            ("pos.reachable".to_string(), CheckStatus::Ok),
            ("pos.versions".to_string(), CheckStatus::Ok),
            ("pos.cash_server".to_string(), CheckStatus::Ok),
            ("pos.licence".to_string(), CheckStatus::Ok),
            ("pos.token".to_string(), CheckStatus::Ok),
        ]
    );
    assert!(r.info.unwrap().gateway_version.is_some());

    // Each fault fails its own line, and only that one, with a fix.
    for (kind, line) in [
        (FaultKind::CashServerDown, "pos.cash_server"),
        (FaultKind::LicenceExpired, "pos.licence"),
        (FaultKind::InvalidToken, "pos.token"),
    ] {
        sim.control().clear_faults();
        sim.control().add_fault(Fault::new("ping", kind));
        let r = service::test_connection(&config, &good).await;
        assert!(!r.ok);
        let failed: Vec<_> = r.lines.iter().filter(|l| l.failed()).collect();
        assert_eq!(failed.len(), 1, "{kind:?}: {r:#?}");
        assert_eq!(failed[0].id, line, "{kind:?}");
        assert!(failed[0].fix.as_deref().is_some_and(|f| f.len() > 20));
        assert!(r
            .lines
            .iter()
            .any(|l| l.id == "pos.reachable" && l.status == CheckStatus::Ok));
    }
    sim.control().clear_faults();

    // No token at all: the line says where to enter it.
    let r = service::test_connection(&config, &MemorySecrets::default()).await;
    assert!(!r.ok);
    assert_eq!(r.lines[0].id, "pos.token");
    assert!(r.lines[0].detail.contains("keyring"), "{:?}", r.lines[0]);

    // The POS down: reachability fails with the address in the fix.
    let url = sim.url();
    sim.stop().await;
    let r = service::test_connection(&config, &good).await;
    assert_eq!(r.lines[0].id, "pos.reachable");
    assert!(r.lines[0].failed());
    assert!(r.lines[0].fix.as_deref().unwrap().contains(&url));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jupiter_connection_test_summarises_check_update_and_get_tt() {
    let sim = spawn_pos(pos_sim::PosKind::Jupiter).await;
    let dir = tempfile::tempdir().unwrap();
    let (config, secrets) = demo_config(
        pos_sim::PosKind::Jupiter,
        &sim.url(),
        dir.path().to_path_buf(),
    );
    let r = service::test_connection(&config, &secrets).await;
    assert!(r.ok, "{r:#?}");
    let menu = r.menu.expect("a getTT summary");
    assert!(menu.dishes > 0 && menu.sections > 0, "{menu:?}");
    assert!(r
        .lines
        .iter()
        .any(|l| l.id == "pos.menu" && l.detail.contains("dishes")));

    let wrong = MemorySecrets::with(&config.pos.secret, "not-the-server-id");
    wrong
        .set(&config.pos.user_secret, pos_sim::jupiter::KIOSK_PASSWORD)
        .unwrap();
    let r = service::test_connection(&config, &wrong).await;
    assert!(!r.ok, "{r:#?}");
    let failed: Vec<_> = r.lines.iter().filter(|l| l.failed()).collect();
    assert_eq!(failed.len(), 1, "{r:#?}");
    assert_eq!(failed[0].id, "pos.token", "{r:#?}");
    assert!(failed[0].fix.as_deref().unwrap().contains("server id"));
    assert!(
        r.menu.is_none(),
        "no menu is fetched with a refused server id"
    );
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_describe_the_running_kiosk_and_export_without_secrets() {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = KioskConfig::demo(&sim.url(), dir.path().join("data"));
    // A password typed into an address must not leave the kiosk in the export.
    config.payment.url = Some(sim.url().replace("http://", "http://shop:hunter2-secret@"));
    let secrets = MemorySecrets::with("pos-token", pos_sim::DEMO_TOKEN);
    let timings = Timings {
        track_every: Duration::from_millis(100),
        backoff: vec![Duration::from_millis(50)],
        payment_resolve_for: Duration::from_secs(2),
    };
    let mut working = config.clone();
    working.payment.url = Some(sim.url());
    let engine = Engine::from_config(working, &secrets, timings).unwrap();
    engine.start_background();
    let menu = engine.menu_view().await.unwrap();
    let dish = menu
        .catalog
        .dishes
        .iter()
        .find(|d| {
            d.availability.can_sell(1)
                && d.modifier_groups
                    .iter()
                    .filter_map(|g| menu.catalog.modifier_group(g))
                    .all(|g| g.min == 0)
        })
        .unwrap();
    let cart = Cart {
        order_type: OrderType::EatIn,
        lines: vec![CartLine {
            dish: dish.id.clone(),
            qty: 1,
            modifiers: vec![],
            comment: None,
            combo: vec![],
        }],
    };
    let total = engine.price(1, cart.clone()).await.unwrap().quote.total;
    let placed = engine
        .checkout(cart, total, Arc::new(|_| {}))
        .await
        .unwrap();
    assert!(matches!(placed, CheckoutResult::Placed { .. }));

    let view = diagnostics::collect(&engine, &secrets).await;
    assert!(view.pos.reachable && view.pos.latency_ms.is_some());
    assert_eq!(view.pos.kind, "procart");
    assert!(view.menu.version.is_some() && view.menu.age_s.is_some());
    assert_eq!(view.menu.source.as_deref(), Some("pos"));
    assert_eq!(view.journal.today, 1);
    assert_eq!(view.journal.backlog, 0);
    assert!(view.journal.needs_staff.is_empty());
    assert_eq!(view.payment.status, CheckStatus::Ok, "{:?}", view.payment);
    assert!(view.disk.as_ref().unwrap().free_bytes > 0);
    assert_eq!(view.version, env!("CARGO_PKG_VERSION"));
    assert!(
        !view.checks.iter().any(|c| c.failed()),
        "{:#?}",
        view.checks
    );

    // The export: a log with a registered secret in it, settings with a password in a URL.
    let log_dir = dir.path().join("data/logs");
    std::fs::create_dir_all(&log_dir).unwrap();
    kiosk_engine::logs::redact(pos_sim::DEMO_TOKEN);
    std::fs::write(
        log_dir.join("kiosk.log"),
        format!(
            "{{\"msg\":\"a careless line with {}\"}}\n",
            pos_sim::DEMO_TOKEN
        ),
    )
    .unwrap();
    let out = dir.path().join("usb");
    let catalog = engine.menu.current().map(|m| (*m.catalog).clone());
    let export = diagnostics::export(
        &out,
        &view,
        Some(&config),
        catalog.as_ref(),
        &dir.path().join("data"),
        &log_dir,
    )
    .unwrap();
    assert_eq!(
        export.files,
        [
            "diagnostics.json",
            "settings.toml",
            "menu-faults.json",
            "journal.json",
            "logs/kiosk.log"
        ]
    );
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&export.path).unwrap()).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        all.push_str(&text);
        if name == "journal.json" {
            let j: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(j["checkouts"].as_array().unwrap().len(), 1);
            assert_eq!(j["checkouts"][0]["paid"], true);
            assert!(j["checkouts"][0].get("receipt").is_none());
        }
        if name == "settings.toml" {
            assert!(text.contains("<redacted>@127.0.0.1"), "{text}");
        }
    }
    for secret in [pos_sim::DEMO_TOKEN, "hunter2-secret"] {
        assert!(!all.contains(secret), "{secret} is in the export");
    }
    assert!(all.contains("a careless line with <redacted>"));
    sim.stop().await;
}

/// Runs the set-up screens' payment test and collects the progress it streamed.
async fn pay_test(
    config: &KioskConfig,
    secrets: &dyn SecretStore,
    data_dir: &std::path::Path,
    sale: bool,
) -> (
    kiosk_core::view::PaymentTestReport,
    Vec<kiosk_core::payment::PaymentProgress>,
) {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = {
        let seen = seen.clone();
        Arc::new(move |p| seen.lock().unwrap().push(p))
    };
    let report = service::test_payment(config, secrets, data_dir, sale, sink).await;
    let progress = seen.lock().unwrap().clone();
    (report, progress)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_payment_test_checks_the_simulated_terminal_and_gives_a_test_sale_back() {
    use pos_sim::payment::PaymentOutcomeMode;
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = KioskConfig::demo(&sim.url(), dir.path().to_path_buf());
    let none = MemorySecrets::default();

    // The check charges nothing.
    let (r, _) = pay_test(&config, &none, dir.path(), false).await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(ids(&r.lines), [("payment".to_string(), CheckStatus::Ok)]);
    assert!(sim.control().payments().is_empty());

    // The sale is approved and refunded at once.
    let (r, progress) = pay_test(&config, &none, dir.path(), true).await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(
        ids(&r.lines),
        [
            ("payment".to_string(), CheckStatus::Ok),
            ("payment.sale".to_string(), CheckStatus::Ok),
            ("payment.refund".to_string(), CheckStatus::Ok),
        ]
    );
    assert!(!progress.is_empty());
    let payments = sim.control().payments();
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0].amount, "1.00");
    assert!(payments[0].attempt_id.starts_with("setup-test-"));

    // A declined card fails the test with what to do.
    sim.control()
        .set_payment_outcome(PaymentOutcomeMode::Decline, 0);
    let (r, _) = pay_test(&config, &none, dir.path(), true).await;
    assert!(!r.ok);
    let sale = r.lines.iter().find(|l| l.id == "payment.sale").unwrap();
    assert_eq!(sale.status, CheckStatus::Fail);
    assert!(sale.detail.contains("declined"), "{sale:?}");
    assert!(sale.fix.is_some());

    // Pay at the counter: nothing to reach and nothing to charge.
    let mut counter = config.clone();
    counter.payment.provider = "counter".into();
    let (r, _) = pay_test(&counter, &none, dir.path(), true).await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.lines.last().unwrap().id, "payment.sale");
    assert_eq!(r.lines.last().unwrap().status, CheckStatus::Skipped);

    // The terminal down: the check fails with where it looked.
    sim.stop().await;
    let (r, _) = pay_test(&config, &none, dir.path(), false).await;
    assert!(!r.ok);
    assert!(r.lines[0].failed() && r.lines[0].fix.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_payment_test_of_tbank_names_missing_keys_shows_the_qr_and_refunds() {
    let sim = pay_sim::tbank::spawn(Default::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = KioskConfig::demo("http://127.0.0.1:9", dir.path().to_path_buf());
    config.payment.provider = "tbank".into();
    config.payment.url = Some(sim.api_url());

    // No keys: each missing one is named with its keyring entry, and nothing is called.
    let (r, _) = pay_test(&config, &MemorySecrets::default(), dir.path(), true).await;
    assert!(!r.ok);
    assert_eq!(
        ids(&r.lines),
        [
            ("payment.key".to_string(), CheckStatus::Fail),
            ("payment.key".to_string(), CheckStatus::Fail)
        ]
    );
    assert!(r.lines[0].detail.contains("tbank-terminal-key"), "{r:#?}");

    // The keys go where the settings name them (here, the defaults).
    let keys = MemorySecrets::default();
    for (kind, value) in [
        (
            kiosk_core::view::SecretKind::TbankTerminalKey,
            pay_sim::tbank::DEMO_TERMINAL_KEY,
        ),
        (
            kiosk_core::view::SecretKind::TbankPassword,
            pay_sim::tbank::DEMO_PASSWORD,
        ),
    ] {
        service::set_secret(&keys, Some(&config), kind, value).unwrap();
    }
    let (r, _) = pay_test(&config, &keys, dir.path(), false).await;
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.lines.last().unwrap().id, "payment");

    // A wrong password: T-Bank refuses the signature, and the check says so.
    let wrong = MemorySecrets::with("tbank-terminal-key", pay_sim::tbank::DEMO_TERMINAL_KEY);
    wrong.set("tbank-password", "not-the-password").unwrap();
    let (r, _) = pay_test(&config, &wrong, dir.path(), false).await;
    assert!(r.lines.last().unwrap().status != CheckStatus::Ok, "{r:#?}");

    sim.set_next_outcome(Some(pay_sim::tbank::TbankOutcome::Confirm));
    let (r, progress) = pay_test(&config, &keys, dir.path(), true).await;
    assert!(r.ok, "{r:#?}");
    assert!(progress
        .iter()
        .any(|p| matches!(p, kiosk_core::payment::PaymentProgress::ShowQr { .. })));
    assert!(r
        .lines
        .iter()
        .any(|l| l.id == "payment.refund" && l.status == CheckStatus::Ok));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_payment_test_of_yookassa_and_the_card_terminal() {
    let yk = pay_sim::yookassa::spawn(Default::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = KioskConfig::demo("http://127.0.0.1:9", dir.path().to_path_buf());
    config.payment.provider = "yookassa".into();
    config.payment.url = Some(yk.api_url());
    let keys = MemorySecrets::with("yookassa-shop-id", pay_sim::yookassa::DEMO_SHOP_ID);
    keys.set("yookassa-secret-key", pay_sim::yookassa::DEMO_SECRET_KEY)
        .unwrap();
    // YooKassa has nothing to ask without a payment: the check says to run the sale.
    let (r, _) = pay_test(&config, &keys, dir.path(), false).await;
    assert!(r.ok);
    assert_eq!(r.lines.last().unwrap().status, CheckStatus::Skipped);
    yk.set_next_outcome(Some(pay_sim::yookassa::YookassaOutcome::Pay));
    let (r, _) = pay_test(&config, &keys, dir.path(), true).await;
    assert!(r.ok, "{r:#?}");

    // The Sberbank terminal through the sb_pilot stand-in: its own check (26), then a sale.
    let sim_cfg = dir.path().join("sb.json");
    pay_sim::sbpilot::SbPilotSimConfig::default()
        .write(&sim_cfg)
        .unwrap();
    let mut sb = payments::sbpilot::SbPilotConfig::new(
        pay_sim::sb_pilot_binary().unwrap(),
        std::path::PathBuf::new(),
    );
    sb.env.insert(
        pay_sim::sbpilot::CONFIG_ENV.to_string(),
        sim_cfg.display().to_string(),
    );
    let mut card = config.clone();
    card.payment.provider = "sbpilot".into();
    card.payment.url = None;
    card.payment.sbpilot = Some(sb);
    let (r, _) = pay_test(&card, &MemorySecrets::default(), dir.path(), true).await;
    assert!(r.ok, "{r:#?}");
    assert!(r.lines[0].detail.contains("the terminal answers"), "{r:#?}");
    // The operations' folders went to the data folder, as the engine's do.
    assert!(dir.path().join("payments/sbpilot").is_dir());

    // A program that is not there fails the check with what to do.
    let mut missing = card.clone();
    missing.payment.sbpilot.as_mut().unwrap().binary = dir.path().join("no-such-sb_pilot");
    let (r, _) = pay_test(&missing, &MemorySecrets::default(), dir.path(), false).await;
    assert!(!r.ok);
    assert!(r.lines[0].fix.is_some(), "{r:#?}");
}

#[test]
fn the_wizard_form_carries_the_device_mode_and_the_card_terminal() {
    use kiosk_core::view::AppMode;
    let dir = tempfile::tempdir().unwrap();
    let svc = service::Service::new(dir.path().join("kiosk.toml"), dir.path().to_path_buf());
    let mut form = service::default_form();
    form.pos_url = "http://10.0.0.5:11111".into();
    form.mode = AppMode::Board;
    form.payment_provider = "sbpilot".into();
    // The terminal's program is required for sbpilot, and named by its field.
    let problems = service::check_settings(&form, None);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].field, "sbpilot_binary");
    form.sbpilot_binary = Some("/opt/sb_pilot/sb_pilot".into());
    form.sbpilot_install_dir = Some("/opt/sb_pilot".into());
    assert!(service::check_settings(&form, None).is_empty());
    assert!(svc.save_settings(&form).unwrap().saved);
    let saved = KioskConfig::load(&dir.path().join("kiosk.toml")).unwrap();
    assert_eq!(saved.kiosk.mode, AppMode::Board);
    let sb = saved.payment.sbpilot.clone().unwrap();
    assert_eq!(
        sb.binary,
        std::path::PathBuf::from("/opt/sb_pilot/sb_pilot")
    );
    assert_eq!(sb.encoding, "koi8-r");
    assert_eq!(service::form_from_config(&saved), form);

    // Keys the form does not show survive a save through it.
    let mut text = std::fs::read_to_string(dir.path().join("kiosk.toml")).unwrap();
    text.push_str("\n[payment.tbank]\nqr_lifetime_s = 600\nterminal_key_secret = \"tb-main\"\n");
    std::fs::write(dir.path().join("kiosk.toml"), text).unwrap();
    let base = svc.load_settings().unwrap();
    form.payment_provider = "tbank".into();
    form.payment_url = Some("ftp://bank".into());
    let problems = service::check_settings(&form, Some(&base));
    assert_eq!(problems[0].field, "payment_url", "{problems:?}");
    form.payment_url = None;
    assert!(svc.save_settings(&form).unwrap().saved);
    let saved = KioskConfig::load(&dir.path().join("kiosk.toml")).unwrap();
    let tb = saved.payment.tbank.clone().unwrap();
    assert_eq!(
        (tb.qr_lifetime_s, tb.terminal_key_secret.as_str()),
        (600, "tb-main")
    );

    // The payment keys go to the entries the settings name; the status lists which are set.
    let keys = MemorySecrets::default();
    service::set_secret(
        &keys,
        Some(&saved),
        kiosk_core::view::SecretKind::TbankTerminalKey,
        "TK",
    )
    .unwrap();
    assert_eq!(keys.get("tb-main").unwrap().as_deref(), Some("TK"));
    let status = svc.setup_status(
        &keys,
        kiosk_core::view::CheckLine::ok("keyring", "OS keyring", "test"),
        false,
    );
    assert_eq!(
        status.secrets_set,
        [kiosk_core::view::SecretKind::TbankTerminalKey]
    );
    assert!(status.configured && !status.pos_token_set);
}
