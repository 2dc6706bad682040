//! Cold start: from spawning the process to the first menu picture served to the page, for the
//! kiosk (from its snapshot, POS gone) and for an empty Tauri window built the same way.
//!
//! Both binaries write the time to `KIOSK_BENCH_READY_FILE` when they serve their first
//! `kiosk://` picture: for the kiosk that happens once the page has the menu and renders it
//! (the attract screen's first dish picture), for the empty window once its page is up. The
//! runs alternate between the two, after one unmeasured warm-up each, so both see the same
//! caches and the same load; the result is the median of N (`make bench` takes 9: on a
//! machine shared with other work single starts vary by a factor of three, and a median of 5
//! still moved by 0.3× between two runs). Beside the ratio of the medians, the median of each
//! back-to-back pair's ratio is reported. Needs a display (the step runs it under Xvfb).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, Context};
use serde_json::json;

use crate::table::{verdict, Table};

const TARGET_RATIO: f64 = 1.5;
const TARGET_MS: f64 = 1000.0;
const TIMEOUT: Duration = Duration::from_secs(60);

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
    // WebKit's helper processes leave when their parent's socket closes; give them a moment so
    // the next run starts on a quiet machine.
    std::thread::sleep(Duration::from_millis(700));
}

/// One start: milliseconds from spawn to the first picture served.
fn once(bin: &str, args: &[&str], ready: &Path) -> anyhow::Result<f64> {
    let _ = std::fs::remove_file(ready);
    let started = now_ns();
    let child = Command::new(bin)
        .args(args)
        .env("KIOSK_BENCH_READY_FILE", ready)
        .env("KIOSK_POS_TOKEN", "bench")
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {bin}"))?;
    let t = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(ready) {
            if let Ok(ns) = text.trim().parse::<u128>() {
                stop(child);
                return Ok((ns.saturating_sub(started)) as f64 / 1e6);
            }
        }
        if t.elapsed() > TIMEOUT {
            stop(child);
            return Err(anyhow!("{bin} showed no picture within {TIMEOUT:?}"));
        }
        // Polling the file only decides when we stop waiting; the time itself comes from the
        // process, so the poll interval does not blur it.
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Each back-to-back pair's ratio, in run order.
fn pairs_in_order(k: &[f64], e: &[f64]) -> Vec<f64> {
    k.iter().zip(e).map(|(k, e)| k / e).collect()
}

pub fn run(app: &str, empty: &str, config: &str, runs: usize, out: &str) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let ready = dir.path().join("ready");
    let kiosk_args = ["--config", config, "--token-env", "KIOSK_POS_TOKEN"];
    // Warm-up: page cache, font cache, WebKit's caches.
    once(app, &kiosk_args, &ready)?;
    once(empty, &[], &ready)?;
    let (mut k, mut e) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        k.push(once(app, &kiosk_args, &ready)?);
        e.push(once(empty, &[], &ready)?);
    }
    let (kr, er) = (k.clone(), e.clone());
    let mut pairs = pairs_in_order(&k, &e);
    let pair_ratio = crate::median(&mut pairs);
    let km = crate::median(&mut k);
    let em = crate::median(&mut e);
    let ratio = km / em;
    let mut t = Table::new(&["start", "median ms", "runs ms", "target"]);
    let fmt = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    t.row(vec![
        "empty Tauri window (page + first picture)".into(),
        format!("{em:.0}"),
        fmt(&er),
        String::new(),
    ]);
    t.row(vec![
        "kiosk from its snapshot, POS down (menu + first picture)".into(),
        format!("{km:.0}"),
        fmt(&kr),
        format!("{} (< {TARGET_MS:.0} ms)", verdict(km < TARGET_MS)),
    ]);
    t.row(vec![
        "kiosk / empty (ratio of the medians)".into(),
        format!("{ratio:.2}×"),
        String::new(),
        format!("{} (≤ {TARGET_RATIO}×)", verdict(ratio <= TARGET_RATIO)),
    ]);
    t.row(vec![
        "kiosk / empty (median of the pairs' ratios)".into(),
        format!("{pair_ratio:.2}×"),
        pairs_in_order(&kr, &er)
            .iter()
            .map(|r| format!("{r:.2}"))
            .collect::<Vec<_>>()
            .join(", "),
        String::new(),
    ]);
    println!(
        "Cold start under Xvfb, median of {runs} (after one warm-up each); load average {:.1}",
        crate::load_average()
    );
    t.print();
    crate::write_json(
        out,
        "12-cold-start",
        &json!({
            "machine": crate::machine(),
            "profile": std::env::var("BENCH_PROFILE").unwrap_or_else(|_| "release".into()),
            "app": app, "empty": empty, "runs": runs,
            "kiosk_ms": kr, "empty_ms": er,
            "kiosk_median_ms": km, "empty_median_ms": em, "ratio": ratio,
            "pair_ratios": pairs_in_order(&kr, &er), "pair_ratio_median": pair_ratio,
            "target_ratio": TARGET_RATIO, "target_ms": TARGET_MS,
            "ratio_ok": ratio <= TARGET_RATIO, "ms_ok": km < TARGET_MS,
        }),
    )
}
