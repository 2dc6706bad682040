//! The kiosk's secrets against a real gnome-keyring (Linux), in every state a kiosk PC can be
//! in: unlocked, locked, never unlocked (no login keyring), not running, and no D-Bus session.
//!
//! Each test starts a private D-Bus session (`dbus-run-session`) with its own HOME, so the
//! machine's keyring is never touched, and runs this same test binary inside it with
//! `KIOSK_KEYRING_SCENARIO` naming what the inner run must see (the inner test, `inner`, does
//! nothing without that variable). The packages come from `scripts/deps.sh`: dbus,
//! gnome-keyring.

#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::Command;

use kiosk_engine::secrets::{KeyringSecrets, SecretError, SecretStore};

const PASSWORD: &str = "kiosk-test-unlock";
const TOKEN: &str = "28bb0d65-d1a3-447d-a3eb-e4961b0ffd35";

/// A session bus that activates nothing: as if no Secret Service were installed.
const BARE_BUS: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

fn need(tool: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "{tool} is missing: run scripts/deps.sh (apt-get install dbus gnome-keyring)"
    );
}

/// Runs `inner` under `scenario`. `daemon` is the shell step that starts gnome-keyring (or not)
/// inside the session; `bus` is `Some(config)` for a session bus, `None` for none at all.
fn run(home: &Path, scenario: &str, bus: Option<Option<&str>>, daemon: &str) {
    let exe = std::env::current_exe().unwrap();
    for d in ["home", "data", "config", "run"] {
        std::fs::create_dir_all(home.join(d)).unwrap();
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(home.join("run"), std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let mut cmd = match bus {
        Some(config) => {
            need("dbus-run-session");
            need("gnome-keyring-daemon");
            let mut c = Command::new("dbus-run-session");
            if let Some(xml) = config {
                let path = home.join("bus.conf");
                std::fs::write(&path, xml).unwrap();
                c.arg(format!("--config-file={}", path.display()));
            }
            c.args(["--", "sh", "-c", &format!("{daemon} exec \"$@\""), "sh"]);
            c.arg(&exe);
            c
        }
        None => Command::new(&exe),
    };
    cmd.args(["inner", "--exact", "--nocapture", "--test-threads=1"])
        .env("KIOSK_KEYRING_SCENARIO", scenario)
        .env("KIOSK_KEYRING_PW", PASSWORD)
        .env("HOME", home.join("home"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        // No X display: a prompt can never be answered on a kiosk, and libdbus must not try
        // to autolaunch a bus through X11.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("GNOME_KEYRING_CONTROL");
    let out = cmd.output().expect("the inner test run did not start");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "scenario {scenario} failed:\n{text}");
    assert!(
        text.contains("test inner ... ok"),
        "scenario {scenario} ran nothing:\n{text}"
    );
}

const UNLOCK: &str = "printf %s \"$KIOSK_KEYRING_PW\" | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 3;";

#[test]
fn secrets_live_in_an_unlocked_gnome_keyring_and_survive_a_new_session() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), "store", Some(None), UNLOCK);
    // A new session (a reboot, in effect) unlocked with the same password reads them back.
    run(dir.path(), "read_back", Some(None), UNLOCK);
}

#[test]
fn a_locked_keyring_says_how_to_unlock_it() {
    let dir = tempfile::tempdir().unwrap();
    // Creates the login keyring, protected by the password...
    run(dir.path(), "store", Some(None), UNLOCK);
    // ...then starts the daemon without the password, as a kiosk session that forgot to unlock.
    run(
        dir.path(),
        "locked",
        Some(None),
        "gnome-keyring-daemon --start --components=secrets >/dev/null || exit 3;",
    );
}

#[test]
fn a_fresh_account_without_a_login_keyring_says_how_to_create_one() {
    let dir = tempfile::tempdir().unwrap();
    run(
        dir.path(),
        "no_keyring",
        Some(None),
        "gnome-keyring-daemon --start --components=secrets >/dev/null || exit 3;",
    );
}

#[test]
fn no_secret_service_says_what_to_install() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), "no_service", Some(Some(BARE_BUS)), "");
}

#[test]
fn no_session_bus_says_how_to_start_one() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), "no_bus", None, "");
}

/// The body of every scenario, run inside its session by the tests above.
#[test]
fn inner() {
    let Ok(scenario) = std::env::var("KIOSK_KEYRING_SCENARIO") else {
        return;
    };
    let store = KeyringSecrets::new();
    match scenario.as_str() {
        "store" => {
            store.probe().unwrap();
            store.set("pos-token", TOKEN).unwrap();
            assert_eq!(store.get("pos-token").unwrap().as_deref(), Some(TOKEN));
            // A fresh store (another process, in effect) sees the same entry.
            assert_eq!(
                KeyringSecrets::new().get("pos-token").unwrap().as_deref(),
                Some(TOKEN)
            );
            store.set("pos-user", "temp").unwrap();
            store.delete("pos-user").unwrap();
            assert_eq!(store.get("pos-user").unwrap(), None);
            // The secret is in the keyring's file, encrypted: never in plain text.
            let data = std::env::var("XDG_DATA_HOME").unwrap();
            let file = std::fs::read(Path::new(&data).join("keyrings/login.keyring"))
                .expect("gnome-keyring keeps the login keyring on disk");
            assert!(!String::from_utf8_lossy(&file).contains(TOKEN));
        }
        "read_back" => {
            assert_eq!(store.get("pos-token").unwrap().as_deref(), Some(TOKEN));
        }
        "locked" => {
            let e = store.set("pos-token", "another").unwrap_err();
            assert!(matches!(e, SecretError::Locked { .. }), "{e:?}");
            assert!(e.to_string().contains("--unlock"), "{e}");
            let e = store.get("pos-token").unwrap_err();
            assert!(matches!(e, SecretError::Locked { .. }), "{e:?}");
        }
        "no_keyring" => {
            let e = store.set("pos-token", TOKEN).unwrap_err();
            assert!(matches!(e, SecretError::NoKeyring { .. }), "{e:?}");
            assert!(e.to_string().contains("--unlock"), "{e}");
        }
        "no_service" => {
            let e = store.probe().unwrap_err();
            assert!(matches!(e, SecretError::NoSecretService { .. }), "{e:?}");
            assert!(
                e.to_string().contains("apt-get install gnome-keyring"),
                "{e}"
            );
            let e = store.set("pos-token", TOKEN).unwrap_err();
            assert!(matches!(e, SecretError::NoSecretService { .. }), "{e:?}");
        }
        "no_bus" => {
            let e = store.probe().unwrap_err();
            assert!(matches!(e, SecretError::NoSessionBus { .. }), "{e:?}");
            assert!(e.to_string().contains("dbus-run-session"), "{e}");
        }
        other => panic!("unknown scenario {other}"),
    }
}
