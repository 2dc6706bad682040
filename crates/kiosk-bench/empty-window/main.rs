//! An empty Tauri window, built exactly like the kiosk (same Tauri, same profile, same window
//! settings and CSP), showing one picture through a `kiosk://` scheme. It is the baseline of
//! the cold-start and memory benchmarks: with `KIOSK_BENCH_READY_FILE` set, the first picture
//! served writes the time to that file, as the kiosk's scheme does.

use std::sync::atomic::{AtomicBool, Ordering};

use tauri::http::{header, Response};

/// A small JPEG made once: the page shows something real.
fn picture() -> Vec<u8> {
    let img = image::RgbImage::from_fn(480, 360, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    let _ = img.write_to(&mut out, image::ImageFormat::Jpeg);
    out.into_inner()
}

fn mark_ready() {
    static DONE: AtomicBool = AtomicBool::new(false);
    if DONE.swap(true, Ordering::Relaxed) {
        return;
    }
    if let Some(path) = std::env::var_os("KIOSK_BENCH_READY_FILE") {
        let ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let _ = std::fs::write(path, ns.to_string());
    }
}

fn main() {
    tauri::Builder::default()
        .register_asynchronous_uri_scheme_protocol("kiosk", |_ctx, _request, responder| {
            std::thread::spawn(move || {
                let resp = Response::builder()
                    .header(header::CONTENT_TYPE, "image/jpeg")
                    .body(picture())
                    .unwrap_or_else(|_| Response::new(Vec::new()));
                mark_ready();
                responder.respond(resp);
            });
        })
        .run(tauri::generate_context!("empty-window/tauri.conf.json"))
        .expect("the empty window could not start");
}
