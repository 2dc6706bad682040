//! The `pos-sim` binary: address on the first stdout line, clean stop on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

fn wait_exit(
    child: &mut std::process::Child,
    deadline: Duration,
) -> Option<std::process::ExitStatus> {
    let until = Instant::now() + deadline;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() > until {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn the_binary_prints_its_address_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pos-sim"))
        .args(["--listen", "127.0.0.1:0", "--getmenu-latency-ms", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start pos-sim");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let url = line.trim().to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );

    let r = reqwest::get(format!("{url}/api/v3/ping"))
        .await
        .expect("ping");
    assert_eq!(r.status(), StatusCode::OK);

    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(term.success());
    let status = wait_exit(&mut child, Duration::from_secs(10));
    if status.is_none() {
        let _ = child.kill();
    }
    assert!(
        status.is_some_and(|s| s.success()),
        "exits cleanly: {status:?}"
    );
}

#[test]
fn a_bad_menu_file_stops_the_binary_with_a_clear_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_pos-sim"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--menu",
            "/nonexistent/menu.json",
        ])
        .output()
        .expect("run pos-sim");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/menu.json"), "{err}");
}

/// `pos-sim --pos jupiter` serves the demo restaurant; `--menu seed` the vendor's example.
#[tokio::test]
async fn the_jupiter_binary_serves_the_demo_unless_told_otherwise() {
    for (menu, restaurant) in [
        (None, "Бургерная «Огонёк»"),
        (Some("seed"), "Торговая точка"),
        (Some("demo"), "Бургерная «Огонёк»"),
    ] {
        let mut args = vec!["--pos", "jupiter", "--listen", "127.0.0.1:0"];
        args.extend(menu.map(|m| ["--menu", m]).into_iter().flatten());
        let mut child = Command::new(env!("CARGO_BIN_EXE_pos-sim"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pos-sim");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("first line");
        let tt: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/jpos/index.php", line.trim()))
            .json(&serde_json::json!({"command": "getTT", "serverId": pos_sim::jupiter::SERVER_ID}))
            .send()
            .await
            .expect("getTT")
            .json()
            .await
            .expect("JSON");
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(tt["data"]["name"], restaurant, "--menu {menu:?}");
    }
}
