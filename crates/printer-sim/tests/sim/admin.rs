//! The HTTP admin API, as the E2E run uses it from another process.

use printer_sim::{Mode, SimConfig, SimState};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::{ask, job, WAIT};

#[tokio::test]
async fn modes_are_set_and_slips_fetched_over_http() {
    let s = printer_sim::spawn(SimConfig::default()).await.unwrap();
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", s.admin_url());

    let st: SimState = http
        .get(url("/_sim/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(st.mode, Mode::Ready);
    assert_eq!(st.width_dots, 576);

    let st: SimState = http
        .post(url("/_sim/mode"))
        .json(&serde_json::json!({"mode": "paper_out", "reply_delay_ms": 5, "drop_after": 99}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (st.mode, st.reply_delay_ms, st.drop_after),
        (Mode::PaperOut, 5, Some(99))
    );
    let mut conn = TcpStream::connect(s.addr).await.unwrap();
    assert_eq!(ask(&mut conn, 4, WAIT).await, Some(0x7E));
    // Omitted fields stay; an explicit null clears.
    let st: SimState = http
        .post(url("/_sim/mode"))
        .json(&serde_json::json!({"mode": "ready", "drop_after": null}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (st.mode, st.reply_delay_ms, st.drop_after),
        (Mode::Ready, 5, None)
    );
    let bad = http
        .post(url("/_sim/mode"))
        .json(&serde_json::json!({"mode": "on_fire"}))
        .send()
        .await
        .unwrap();
    assert!(bad.status().is_client_error());

    conn.write_all(&job("31")).await.unwrap();
    assert!(s.wait_for_slips(1, WAIT).await);

    let slips: serde_json::Value = http
        .get(url("/_sim/slips"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(slips.as_array().unwrap().len(), 1);
    assert!(slips[0]["text"].as_str().unwrap().contains("Заказ"));

    let txt = http
        .get(url("/_sim/slips/last.txt"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(txt.contains("3 1"), "{txt}");

    let png = http.get(url("/_sim/slips/0.png")).send().await.unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    let img = image::load_from_memory(&png.bytes().await.unwrap()).unwrap();
    assert_eq!(img.width(), 576);

    let missing = http.get(url("/_sim/slips/5.png")).send().await.unwrap();
    assert_eq!(missing.status(), reqwest::StatusCode::NOT_FOUND);

    let raw = http
        .get(url("/_sim/received"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(raw.to_vec(), s.received());

    let st: SimState = http
        .post(url("/_sim/reset"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((st.received_bytes, st.slips), (0, 0));
    s.stop().await;
}
