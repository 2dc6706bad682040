//! Catalog ingest: the bytes a POS sends for its whole menu → the checked catalog the kiosk
//! shows (parse, normalise, validate), beside a plain `serde_json::from_slice::<Value>` of the
//! same bytes, at several menu sizes in one run.
//!
//! The bodies come from the simulator over loopback HTTP (`generated:N` menus), so they are
//! exactly what the adapters read in production. Each measurement is the median of enough
//! repetitions to fill about a second, with the two decoders interleaved so drift hits both.

use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use serde_json::{json, Value};

use crate::table::{verdict, Table};

const TARGET_RATIO: f64 = 1.5;
/// Linear growth: time per dish at the largest size within this factor of the smallest's,
/// beyond the growth the plain parse of the same bytes shows (memory effects).
const TARGET_GROWTH: f64 = 1.5;

async fn procart_body(n: usize) -> anyhow::Result<Vec<u8>> {
    let mut cfg = pos_sim::SimConfig::default();
    cfg.procart.menu = pos_sim::generated_menu(n);
    let sim = pos_sim::spawn(cfg).await?;
    let url = format!("{}/api/v3/getmenu?token={}", sim.url(), pos_sim::DEMO_TOKEN);
    let bytes = reqwest::get(&url)
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    sim.stop().await;
    Ok(bytes.to_vec())
}

async fn jupiter_body(n: usize) -> anyhow::Result<Vec<u8>> {
    let mut cfg = pos_sim::SimConfig {
        pos: pos_sim::PosKind::Jupiter,
        ..pos_sim::SimConfig::default()
    };
    cfg.jupiter.menu = pos_sim::jupiter::MenuDoc::generated(n);
    let sim = pos_sim::spawn(cfg).await?;
    let body = json!({ "command": "getTT", "serverId": pos_sim::jupiter::SERVER_ID });
    let bytes = reqwest::Client::new()
        .post(format!("{}/jpos/index.php", sim.url()))
        .json(&body)
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    sim.stop().await;
    Ok(bytes.to_vec())
}

fn procart_ingest(bytes: &[u8]) -> anyhow::Result<usize> {
    let c = pos_procart::decode_menu(bytes).map_err(|e| anyhow!("{e}"))?;
    Ok(c.dishes.len())
}

fn jupiter_ingest(bytes: &[u8]) -> anyhow::Result<usize> {
    let tt: pos_jupiter::wire::GetTtResponse =
        pos_jupiter::client::decode_response(pos_jupiter::wire::Command::GetTt, 200, bytes)
            .map_err(|e| anyhow!("{e}"))?;
    let menu = pos_jupiter::build_menu_owned(tt, &pos_jupiter::MenuOptions::default());
    Ok(menu.catalog.dishes.len())
}

/// Where a Jupiter ingest spends its time: the body decoded into getTT's wire types, the
/// catalog built from them (which ends with [`kiosk_core::catalog::Catalog::check`]), the
/// check alone (timed again on a copy), and freeing the menu (the plain parse's time includes
/// freeing its tree too). Medians in ms.
fn jupiter_phases(bytes: &[u8]) -> anyhow::Result<[f64; 4]> {
    let (mut d, mut b, mut c, mut f) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..7 {
        let t = Instant::now();
        let tt: pos_jupiter::wire::GetTtResponse =
            pos_jupiter::client::decode_response(pos_jupiter::wire::Command::GetTt, 200, bytes)
                .map_err(|e| anyhow!("{e}"))?;
        d.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let menu = pos_jupiter::build_menu_owned(tt, &pos_jupiter::MenuOptions::default());
        b.push(t.elapsed().as_secs_f64() * 1e3);
        let mut copy = menu.catalog.clone();
        let t = Instant::now();
        copy.check();
        c.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        drop(menu);
        f.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(copy);
    }
    Ok([
        crate::median(&mut d),
        crate::median(&mut b),
        crate::median(&mut c),
        crate::median(&mut f),
    ])
}

fn plain(bytes: &[u8]) -> anyhow::Result<usize> {
    let v: Value = serde_json::from_slice(bytes)?;
    Ok(v.as_object().map(|o| o.len()).unwrap_or(0))
}

/// Medians (in ms) of `plain` and `ingest` over the same bytes, interleaved.
fn measure(bytes: &[u8], ingest: fn(&[u8]) -> anyhow::Result<usize>) -> anyhow::Result<(f64, f64)> {
    // Warm up, and size the run from one pass of each.
    let t = Instant::now();
    plain(bytes)?;
    ingest(bytes)?;
    let one = t.elapsed().max(Duration::from_micros(50));
    let reps =
        (Duration::from_millis(1500).as_secs_f64() / one.as_secs_f64()).clamp(5.0, 400.0) as usize;
    let (mut p, mut i) = (Vec::with_capacity(reps), Vec::with_capacity(reps));
    for _ in 0..reps {
        let t = Instant::now();
        std::hint::black_box(plain(std::hint::black_box(bytes))?);
        p.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        std::hint::black_box(ingest(std::hint::black_box(bytes))?);
        i.push(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok((crate::median(&mut p), crate::median(&mut i)))
}

pub struct Series {
    pub name: String,
    /// (dishes, ms)
    pub points: Vec<(f64, f64)>,
}

pub fn run(sizes: Vec<usize>, out: &str) -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let mut table = Table::new(&[
        "POS",
        "dishes",
        "body MB",
        "JSON parse ms",
        "ingest ms",
        "ingest / parse",
        "target ≤ 1.5×",
        "µs per dish",
    ]);
    let mut rows = Vec::new();
    let mut series: Vec<Series> = Vec::new();
    let mut breakdown: Vec<String> = Vec::new();
    for (pos, ingest) in [
        (
            "procart",
            procart_ingest as fn(&[u8]) -> anyhow::Result<usize>,
        ),
        ("jupiter", jupiter_ingest),
    ] {
        let mut s_plain = Series {
            name: format!("{pos}: plain JSON parse"),
            points: vec![],
        };
        let mut s_ingest = Series {
            name: format!("{pos}: ingest"),
            points: vec![],
        };
        let mut per_dish = Vec::new();
        for &n in &sizes {
            let bytes = rt
                .block_on(async {
                    if pos == "procart" {
                        procart_body(n).await
                    } else {
                        jupiter_body(n).await
                    }
                })
                .with_context(|| format!("{pos} menu of {n}"))?;
            let dishes = ingest(&bytes)?;
            let (p, i) = measure(&bytes, ingest)?;
            let ratio = i / p;
            if pos == "jupiter" {
                let [d, b, c, f] = jupiter_phases(&bytes)?;
                breakdown.push(format!(
                    "jupiter {dishes}: decode {d:.2} ms, build {b:.2} ms (of which check {c:.2} ms), free {f:.2} ms"
                ));
                rows.push(json!({
                    "pos": pos, "dishes": dishes, "phases_ms":
                        { "decode": d, "build_including_check": b, "check": c, "free": f },
                }));
            }
            let us = i * 1e3 / dishes.max(1) as f64;
            per_dish.push(us);
            table.row(vec![
                pos.into(),
                dishes.to_string(),
                format!("{:.2}", bytes.len() as f64 / 1e6),
                format!("{p:.2}"),
                format!("{i:.2}"),
                format!("{ratio:.2}×"),
                verdict(ratio <= TARGET_RATIO),
                format!("{us:.2}"),
            ]);
            rows.push(json!({
                "pos": pos, "requested": n, "dishes": dishes, "bytes": bytes.len(),
                "json_parse_ms": p, "ingest_ms": i, "ratio": ratio, "us_per_dish": us,
                "target_ratio": TARGET_RATIO, "ratio_ok": ratio <= TARGET_RATIO,
            }));
            s_plain.points.push((dishes as f64, p));
            s_ingest.points.push((dishes as f64, i));
        }
        // Growth per dish from each size to the largest, for the ingest and, beside it, for the
        // plain parse of the same bytes: memory effects (a 0.2 MB menu's tree stays in cache, a
        // 2 MB one does not) show in both, an algorithm that is worse than linear only in the
        // ingest.
        let plain_per_dish: Vec<f64> = s_plain
            .points
            .iter()
            .map(|(d, ms)| ms * 1e3 / d.max(1.0))
            .collect();
        // So the verdict allows the ingest the growth the plain parse itself shows (never less
        // than none) and 1.5× on top: n log n from 500 to 20,000 would be 1.6×, quadratic 40×.
        for from in 0..sizes.len().saturating_sub(1) {
            let last = sizes.len() - 1;
            let growth = per_dish[last] / per_dish[from];
            let plain_growth = plain_per_dish[last] / plain_per_dish[from];
            let allowed = TARGET_GROWTH * plain_growth.max(1.0);
            let growth_ok = growth <= allowed;
            table.row(vec![
                pos.into(),
                format!("{} → {}", sizes[from], sizes[last]),
                String::new(),
                format!("{plain_growth:.2}× per dish"),
                format!("{growth:.2}× per dish"),
                String::new(),
                format!(
                    "{} (linear: ≤ {allowed:.2}× per dish = {TARGET_GROWTH}× the parse's)",
                    verdict(growth_ok)
                ),
                String::new(),
            ]);
            rows.push(json!({
                "pos": pos, "from": sizes[from], "to": sizes[last],
                "growth_per_dish": growth, "plain_parse_growth_per_dish": plain_growth,
                "target_growth": TARGET_GROWTH, "allowed_growth": allowed, "growth_ok": growth_ok,
            }));
        }
        series.push(s_plain);
        series.push(s_ingest);
    }
    println!("Catalog ingest (parse + normalise + validate) vs a plain serde_json::Value parse");
    table.print();
    for line in &breakdown {
        println!("  {line}");
    }
    let png = std::path::Path::new(out).join("10-ingest.png");
    std::fs::create_dir_all(out)?;
    crate::plot::lines(
        &png,
        "Catalog ingest vs plain JSON parse",
        "dishes",
        "ms (median)",
        &series,
    )?;
    println!("plot: {}", png.display());
    crate::write_json(
        out,
        "10-ingest",
        &json!({ "machine": crate::machine(), "results": rows, "plot": "10-ingest.png" }),
    )
}
