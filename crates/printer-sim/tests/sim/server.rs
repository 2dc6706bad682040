//! The printer port: status replies in every mode, silence, slowness, resets, and the record of
//! every byte.

use std::time::{Duration, Instant};

use printer_sim::{Mode, Paper, SimConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{ask, job, WAIT};

async fn sim(mode: Mode) -> printer_sim::SimServer {
    printer_sim::spawn(SimConfig {
        mode,
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn every_mode_answers_as_a_printer_would() {
    // n = 1, 2, 3, 4, written out from the ESC/POS reference rather than from the simulator.
    let table = [
        (Mode::Ready, [0x12, 0x12, 0x12, 0x12]),
        (Mode::PaperNearEnd, [0x12, 0x12, 0x12, 0x1E]),
        (Mode::PaperOut, [0x1A, 0x32, 0x12, 0x7E]),
        (Mode::CoverOpen, [0x1A, 0x16, 0x12, 0x12]),
        (Mode::Error, [0x1A, 0x52, 0x1A, 0x12]),
    ];
    let s = sim(Mode::Ready).await;
    for (mode, want) in table {
        s.set_mode(mode);
        let mut conn = TcpStream::connect(s.addr).await.unwrap();
        for (i, n) in (1..=4).enumerate() {
            assert_eq!(
                ask(&mut conn, n, WAIT).await,
                Some(want[i]),
                "{mode:?} n={n}"
            );
        }
    }
    assert_eq!(s.status_queries(), 20);
    s.stop().await;
}

#[tokio::test]
async fn offline_takes_the_request_and_never_answers() {
    let s = sim(Mode::Offline).await;
    let mut conn = TcpStream::connect(s.addr).await.unwrap();
    assert_eq!(ask(&mut conn, 1, Duration::from_millis(300)).await, None);
    assert_eq!(s.status_queries(), 1);
    assert_eq!(s.received(), vec![0x10, 0x04, 1]);
    // Back online, the same connection answers again.
    s.set_mode(Mode::Ready);
    assert_eq!(ask(&mut conn, 1, WAIT).await, Some(0x12));
    s.stop().await;
}

#[tokio::test]
async fn a_slow_printer_answers_late() {
    let s = sim(Mode::Ready).await;
    s.set_reply_delay(Duration::from_millis(300));
    let mut conn = TcpStream::connect(s.addr).await.unwrap();
    let t = Instant::now();
    assert_eq!(ask(&mut conn, 1, WAIT).await, Some(0x12));
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    s.stop().await;
}

#[tokio::test]
async fn every_byte_from_every_connection_is_recorded_in_order() {
    let s = sim(Mode::Ready).await;
    let j = job("12");
    let (a, b) = j.split_at(20);
    let mut c1 = TcpStream::connect(s.addr).await.unwrap();
    c1.write_all(a).await.unwrap();
    assert!(s.wait_for_bytes(a.len(), WAIT).await);
    drop(c1);
    let mut c2 = TcpStream::connect(s.addr).await.unwrap();
    c2.write_all(b).await.unwrap();
    assert!(s.wait_for_slips(1, WAIT).await);
    assert_eq!(s.received(), j);
    assert_eq!(s.connections(), 2);
    let text = s.slip_text(0).unwrap();
    assert!(text.contains("Заказ"), "{text}");
    s.clear();
    assert!(s.received().is_empty());
    assert_eq!(s.state().slips, 0);
    s.stop().await;
}

#[tokio::test]
async fn drop_after_resets_the_connection_mid_job() {
    let s = sim(Mode::Ready).await;
    s.set_drop_after(Some(10));
    let mut conn = TcpStream::connect(s.addr).await.unwrap();
    let _ = conn.write_all(&job("7")).await;
    // The simulator resets the connection: the client sees an error or the end of the stream.
    let mut buf = [0u8; 16];
    let r = tokio::time::timeout(WAIT, conn.read(&mut buf))
        .await
        .unwrap();
    assert!(matches!(r, Ok(0) | Err(_)), "{r:?}");
    assert_eq!(s.received().len(), 10);
    assert!(s.slips().is_empty());
    s.stop().await;
}

#[tokio::test]
async fn slips_are_written_to_the_png_directory() {
    let dir = tempfile::tempdir().unwrap();
    let s = printer_sim::spawn(SimConfig {
        paper: Paper::Mm58,
        png_dir: Some(dir.path().to_path_buf()),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut conn = TcpStream::connect(s.addr).await.unwrap();
    conn.write_all(&[job("1"), job("2")].concat())
        .await
        .unwrap();
    // The pictures are written after the bytes are recorded: poll for them with a deadline.
    let second = dir.path().join("slip-002.png");
    let deadline = Instant::now() + WAIT;
    while !second.exists() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for n in ["001", "002"] {
        let png = std::fs::read(dir.path().join(format!("slip-{n}.png"))).unwrap();
        assert_eq!(image::load_from_memory(&png).unwrap().width(), 384);
        let txt = std::fs::read_to_string(dir.path().join(format!("slip-{n}.txt"))).unwrap();
        assert!(txt.contains("Заказ"));
    }
    s.stop().await;
}
