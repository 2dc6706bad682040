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

/// The kiosk's WebKit settings (`src-tauri/src/webview.rs`), so both windows run the same
/// WebKit configuration: the document-viewer cache model.
fn tune<R: tauri::Runtime>(app: &tauri::App<R>) {
    use tauri::Manager;
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    #[cfg(target_os = "linux")]
    {
        let _ = window.with_webview(|wv| {
            use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
            if let Some(context) = wv.inner().context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

fn main() {
    // As the kiosk's `webview::prepare_environment`.
    #[cfg(target_os = "linux")]
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        std::env::set_var("MALLOC_MMAP_THRESHOLD_", "131072");
    }
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
        .setup(|app| {
            tune(app);
            Ok(())
        })
        .run(tauri::generate_context!("empty-window/tauri.conf.json"))
        .expect("the empty window could not start");
}
