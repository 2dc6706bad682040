//! `kioskctl doctor` as a black box against the simulator: each fault an installer meets shows
//! as the check that names it, with a fix, and a non-zero exit; a healthy kiosk passes.

use std::path::Path;
use std::process::{Command, Output};

use pos_sim::faults::{Fault, FaultKind};
use pos_sim::SimConfig;
use serde_json::Value;

fn settings(dir: &Path, url: &str) -> std::path::PathBuf {
    let path = dir.join("kiosk.toml");
    std::fs::write(
        &path,
        format!(
            r#"[kiosk]
id = "doctor-1"
data_dir = "{}"

[pos]
kind = "procart"
url = "{url}"

[payment]
provider = "simulator"
url = "{url}"
tender = "1"

[order_types]
offered = ["eat_in", "takeaway"]
categories = {{ eat_in = "1", takeaway = "2" }}
"#,
            dir.join("data").display()
        ),
    )
    .unwrap();
    path
}

fn doctor(config: &Path, token: Option<&str>, json: bool) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kioskctl"));
    c.arg("doctor").arg("--config").arg(config);
    if json {
        c.arg("--json");
    }
    if let Some(t) = token {
        c.args(["--token-env", "DOCTOR_TOKEN"])
            .env("DOCTOR_TOKEN", t);
    }
    // No D-Bus session: a run without --token-env must report the keyring, not hang on it.
    c.env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .output()
        .expect("kioskctl runs")
}

fn report(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn status_of<'a>(doc: &'a Value, id: &str) -> &'a str {
    doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}: {doc}"))["status"]
        .as_str()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_kiosk_passes_every_check() {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = settings(dir.path(), &sim.url());
    let out = doctor(&cfg, Some(pos_sim::DEMO_TOKEN), false);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    for line in [
        "OK    Settings file",
        "OK    POS reachable",
        "OK    Cash server",
        "OK    Licence",
        "OK    Access token",
        "OK    Menu ",
        "OK    Payment provider",
        "OK    Order journal",
        "OK    Disk space",
        "OK    Data folder",
        "all checks passed",
    ] {
        assert!(text.contains(line), "{line:?} missing in\n{text}");
    }
    let doc = report(&doctor(&cfg, Some(pos_sim::DEMO_TOKEN), true));
    assert_eq!(doc["ok"], true);
    for c in doc["checks"].as_array().unwrap() {
        for key in ["id", "label", "status", "detail", "fix"] {
            assert!(c.get(key).is_some(), "{key} missing in {c}");
        }
    }
    sim.stop().await;
}

/// Each fault: how it is caused, the check that must fail, and a word its fix must hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_fails_its_own_check_with_a_fix() {
    let cases: &[(&str, Option<FaultKind>, &str, &str)] = &[
        ("wrong token", None, "pos.token", "token"),
        (
            "licence",
            Some(FaultKind::LicenceExpired),
            "pos.licence",
            "licence",
        ),
        (
            "cash server",
            Some(FaultKind::CashServerDown),
            "pos.cash_server",
            "cash server",
        ),
    ];
    for (name, fault, check, fix_word) in cases {
        let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
        if let Some(kind) = fault {
            sim.control().add_fault(Fault::new("ping", *kind));
        }
        let dir = tempfile::tempdir().unwrap();
        let cfg = settings(dir.path(), &sim.url());
        let token = if *name == "wrong token" {
            "00000000-0000-0000-0000-000000000000"
        } else {
            pos_sim::DEMO_TOKEN
        };
        let out = doctor(&cfg, Some(token), true);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let doc = report(&out);
        assert_eq!(doc["ok"], false);
        assert_eq!(status_of(&doc, check), "fail", "{name}: {doc}");
        let fix = doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == *check)
            .unwrap()["fix"]
            .as_str()
            .unwrap()
            .to_lowercase();
        assert!(fix.contains(fix_word), "{name}: {fix}");
        sim.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_that_is_down_fails_reachability_and_skips_the_menu() {
    let sim = pos_sim::spawn(SimConfig::default()).await.unwrap();
    let url = sim.url();
    sim.stop().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = settings(dir.path(), &url);
    let out = doctor(&cfg, Some(pos_sim::DEMO_TOKEN), true);
    assert_eq!(out.status.code(), Some(1));
    let doc = report(&out);
    assert_eq!(status_of(&doc, "pos.reachable"), "fail");
    assert_eq!(status_of(&doc, "menu.usable"), "skipped");
    assert_eq!(status_of(&doc, "payment"), "fail");
    // The local checks still ran.
    assert_eq!(status_of(&doc, "disk"), "ok");
    assert_eq!(status_of(&doc, "journal.health"), "ok");
}

#[test]
fn a_bad_settings_file_names_its_line_and_no_keyring_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = settings(dir.path(), "http://127.0.0.1:9");
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("provider = \"simulator\"", "provider = \"cash\"");
    std::fs::write(&cfg, text).unwrap();
    let out = doctor(&cfg, None, false);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("FAIL  Settings file")
            && text.contains("line 10, column 1: payment.provider"),
        "{text}"
    );
    assert!(text.contains("simulator, counter"), "{text}");
    // Without a D-Bus session the keyring check says how to get one.
    assert!(text.contains("FAIL  OS keyring"), "{text}");
    assert!(text.contains("dbus-run-session"), "{text}");
}
