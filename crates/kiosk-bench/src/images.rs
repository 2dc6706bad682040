//! The picture pipeline: N generated 1600×1200 JPEGs (food drawn by the simulator's painter,
//! so they compress like photos of food rather than like flat test patterns), served over
//! loopback HTTP and prefetched by the kiosk's `ImageCache` exactly as after a menu refresh:
//! download, decode under limits, resize to the detail and card sizes, encode, store.
//!
//! The generator runs in its own process (`images-gen`) so the peak memory measured here
//! (VmHWM) is the pipeline's alone.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use kiosk_engine::images::{ImageCache, ImageSettings, ImageSize};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::table::Table;

const KINDS: [&str; 10] = [
    "burger", "chicken", "fries", "salad", "soup", "pizza", "roll", "dessert", "coffee", "drink",
];

/// Writes `n` pictures as `DIR/NNNN.jpg` (kept between runs: drawing is the slow part).
pub fn generate(dir: &str, n: usize) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let todo: Vec<usize> = (0..n)
        .filter(|i| !Path::new(dir).join(format!("{i:04}.jpg")).exists())
        .collect();
    let threads = std::thread::available_parallelism()
        .map(|t| t.get())
        .unwrap_or(2);
    std::thread::scope(|s| {
        for t in 0..threads {
            let todo = &todo;
            s.spawn(move || {
                for i in todo.iter().skip(t).step_by(threads) {
                    let kind = KINDS[i % KINDS.len()];
                    let img = pos_sim::images::draw::draw_item(
                        pos_sim::images::draw::Item {
                            kind,
                            name: "блюдо",
                        },
                        *i as u64,
                        1600,
                        1200,
                    );
                    if let Ok(jpeg) = pos_sim::images::draw::encode_jpeg(&img) {
                        let _ = std::fs::write(Path::new(dir).join(format!("{i:04}.jpg")), jpeg);
                    }
                }
            });
        }
    });
    println!(
        "{n} pictures of 1600×1200 in {dir} ({} drawn now)",
        todo.len()
    );
    Ok(())
}

/// Peak and current resident memory of this process, in KiB.
fn vm(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Serves `dir`'s files over HTTP/1.1 (one request per connection), reading each from disk.
async fn serve(dir: PathBuf) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let dir = dir.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16384 {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&head).to_string();
                let name = text
                    .split(' ')
                    .nth(1)
                    .unwrap_or("/")
                    .trim_start_matches('/')
                    .to_string();
                let body = if name.contains('/') || name.contains("..") {
                    None
                } else {
                    tokio::fs::read(dir.join(&name)).await.ok()
                };
                let (status, body) = match body {
                    Some(b) => ("200 OK", b),
                    None => ("404 Not Found", Vec::new()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Ok(base)
}

pub fn run(dir: &str, out: &str) -> anyhow::Result<()> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("no pictures in {dir}: run images-gen first"))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jpg"))
        .collect();
    files.sort();
    let n = files.len();
    anyhow::ensure!(n > 0, "no pictures in {dir}");
    let input_bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(Path::new(dir).join(f)).ok())
        .map(|m| m.len())
        .sum();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let cache_dir = tempfile::tempdir()?;
    let settings = ImageSettings::default();
    let (concurrency, cpu) = (settings.concurrency, settings.cpu);
    let (secs, cpu_secs, rss_before, stats, card_ok) = rt.block_on(async {
        let base = serve(PathBuf::from(dir)).await?;
        let urls: Vec<String> = files.iter().map(|f| format!("{base}/{f}")).collect();
        let cache = Arc::new(ImageCache::with_settings(
            cache_dir.path().to_path_buf(),
            settings,
        )?);
        let rss_before = vm("VmRSS:");
        let t = Instant::now();
        let cpu0 = crate::cpu_seconds();
        cache.clone().prefetch(urls.clone()).await;
        let secs = t.elapsed().as_secs_f64();
        let cpu = crate::cpu_seconds() - cpu0;
        let card = cache.get(&urls[0], ImageSize::Card).await?;
        let card_ok = image::load_from_memory(&card)
            .map(|i| (i.width(), i.height()) == ImageSize::Card.bounds())
            .unwrap_or(false);
        anyhow::Ok((secs, cpu, rss_before, cache.stats(), card_ok))
    })?;
    let peak = vm("VmHWM:");
    anyhow::ensure!(
        stats.made as usize == n,
        "only {} of {n} pictures made",
        stats.made
    );
    anyhow::ensure!(
        card_ok,
        "the card picture is not {:?}",
        ImageSize::Card.bounds()
    );
    let pics_per_s = n as f64 / secs;
    let thumbs_per_s = 2.0 * n as f64 / secs;
    let mut t = Table::new(&["measure", "value", "target"]);
    t.row(vec![
        "pictures (1600×1200 JPEG)".into(),
        format!("{n} ({:.1} MB)", input_bytes as f64 / 1e6),
        String::new(),
    ]);
    t.row(vec![
        "wall time (download + decode + 2 resizes + 2 encodes + store)".into(),
        format!("{secs:.2} s"),
        String::new(),
    ]);
    t.row(vec![
        "pictures per second".into(),
        format!("{pics_per_s:.1}"),
        "reported".into(),
    ]);
    t.row(vec![
        "thumbnails per second (card + detail)".into(),
        format!("{thumbs_per_s:.1}"),
        "reported".into(),
    ]);
    t.row(vec![
        "CPU time per picture (all threads)".into(),
        format!(
            "{:.1} ms → {:.1} thumbnails per CPU-second",
            cpu_secs * 1e3 / n as f64,
            2.0 * n as f64 / cpu_secs
        ),
        "reported".into(),
    ]);
    t.row(vec![
        "machine load average (1 min) at the end".into(),
        format!("{:.1} on {} cores", crate::load_average(), cpu),
        String::new(),
    ]);
    t.row(vec![
        "peak resident memory (VmHWM)".into(),
        format!(
            "{:.1} MiB (before: {:.1} MiB)",
            peak as f64 / 1024.0,
            rss_before as f64 / 1024.0
        ),
        "reported".into(),
    ]);
    t.row(vec![
        "stored (content-addressed)".into(),
        format!(
            "{} blobs, {:.1} MiB",
            stats.blobs,
            stats.bytes as f64 / 1048576.0
        ),
        String::new(),
    ]);
    println!("Picture pipeline: {n} pictures, {concurrency} downloads and {cpu} decodes at a time");
    t.print();
    crate::write_json(
        out,
        "11-images",
        &json!({
            "machine": crate::machine(),
            "pictures": n, "input_bytes": input_bytes, "seconds": secs,
            "pictures_per_s": pics_per_s, "thumbnails_per_s": thumbs_per_s,
            "cpu_seconds": cpu_secs, "thumbnails_per_cpu_s": 2.0 * n as f64 / cpu_secs,
            "peak_rss_kib": peak, "rss_before_kib": rss_before,
            "stored_blobs": stats.blobs, "stored_bytes": stats.bytes,
            "downloads_at_once": concurrency, "decodes_at_once": cpu,
        }),
    )
}
