//! The `printer-sim` binary: flags, the two address lines on stdout, a clean stop.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use tokio::net::TcpStream;

use super::{ask, WAIT};

#[tokio::test]
async fn the_binary_prints_its_addresses_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_printer-sim"))
        .args(["--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"])
        .args(["--paper", "58", "--mode", "paper-out"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut printer = String::new();
    out.read_line(&mut printer).unwrap();
    let mut admin = String::new();
    out.read_line(&mut admin).unwrap();
    let (printer, admin) = (printer.trim().to_string(), admin.trim().to_string());
    assert!(printer.starts_with("127.0.0.1:"), "{printer}");
    assert!(admin.starts_with("http://127.0.0.1:"), "{admin}");

    let mut conn = TcpStream::connect(&printer).await.unwrap();
    assert_eq!(ask(&mut conn, 4, WAIT).await, Some(0x7E));
    let state: serde_json::Value = reqwest::get(format!("{admin}/_sim/state"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["width_dots"], 384);
    assert_eq!(state["mode"], "paper_out");

    child.kill().unwrap();
    child.wait().unwrap();
}
