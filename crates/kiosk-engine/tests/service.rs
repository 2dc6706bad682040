//! The wizard's connection test, the service screen's diagnostics and the diagnostics export,
//! against the simulators.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use kiosk_core::cart::{Cart, CartLine, OrderType};
use kiosk_core::view::{CheckStatus, CheckoutResult};
use kiosk_engine::engine::{Engine, Timings};
use kiosk_engine::secrets::{MemorySecrets, SecretStore};
use kiosk_engine::{diagnostics, service, KioskConfig};
use pos_sim::{Fault, FaultKind, SimConfig};

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
    let sim = pos_sim::spawn(SimConfig {
        pos: pos_sim::PosKind::Jupiter,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = KioskConfig::demo_jupiter(&sim.url(), dir.path().to_path_buf());
    let secrets = MemorySecrets::with(&config.pos.secret, pos_sim::jupiter::SERVER_ID);
    secrets
        .set(&config.pos.user_secret, pos_sim::jupiter::KIOSK_PASSWORD)
        .unwrap();
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
